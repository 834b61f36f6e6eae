"""StringLookup: strings to vocabulary indices (Keras 3's ``keras.layers.StringLookup``)."""
from nnkit.errors import InvalidArgumentError
from nnkit.layers.preprocessing.inputs import integer_array, string_array
from nnkit.layers.preprocessing.lookup_layer import Lookup
from nnkit.registry import register_layer


@register_layer
class StringLookup(Lookup):
    """Map strings to indices by a vocabulary given or learned with ``adapt``.

    Args (Keras 3's): max_tokens (vocabulary size cap, special slots included),
    num_oov_indices, mask_token (None: no mask slot), oov_token ("[UNK]"), vocabulary,
    idf_weights, invert (indices back to strings), output_mode ("int", "one_hot",
    "multi_hot", "count", "tf_idf"), pad_to_max_tokens, sparse (CSR output), encoding
    ("utf-8" only).

    Differs from Keras: ``num_oov_indices > 1`` is refused (Keras hashes OOV strings into
    buckets with TensorFlow's FarmHash64, which nnkit does not implement); ``multi_hot``,
    ``count`` and ``one_hot`` outputs are floatx (Keras/TensorFlow gives int64).

    Example:
        >>> StringLookup(vocabulary=["a", "b", "c", "d"])([["a", "c", "d"], ["d", "z", "b"]])
        array([[1, 3, 4], [4, 0, 2]])
    """

    input_kind = "string"

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, sparse=False, encoding="utf-8", **kwargs):
        if str(encoding).lower().replace("_", "-") not in ("utf-8", "utf8"):
            raise InvalidArgumentError(f"StringLookup: nnkit reads UTF-8 only, received "
                                       f"encoding={encoding!r}")
        if num_oov_indices not in (0, 1):
            raise InvalidArgumentError(f"StringLookup: num_oov_indices={num_oov_indices!r} needs "
                                       f"TensorFlow's FarmHash64 buckets, which nnkit does not "
                                       f"have; use 0 or 1")
        self.encoding = "utf-8"
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode,
                         sparse=sparse, pad_to_max_tokens=pad_to_max_tokens, **kwargs)

    def token_of(self, value):
        return string_array(value, self.where).item()

    def tokens_of(self, x):
        return string_array(x, self.where)

    def ids_of(self, x):
        return integer_array(x, self.where)

    def get_config(self):
        return {**super().get_config(), "encoding": self.encoding}
