"""IntegerLookup: integers to vocabulary indices (Keras 3's ``keras.layers.IntegerLookup``)."""
import numpy

from nnkit import validation
from nnkit.errors import InvalidArgumentError
from nnkit.layers.preprocessing.inputs import integer_array
from nnkit.layers.preprocessing.lookup_layer import Lookup
from nnkit.registry import register_layer


@register_layer
class IntegerLookup(Lookup):
    """Map integer tokens to indices by a vocabulary given or learned with ``adapt``.

    Args (Keras 3's): as StringLookup, with ``oov_token=-1``, ``vocabulary_dtype="int64"``
    and ``oov_method="floormod"``: with ``num_oov_indices > 1`` an OOV value v goes to OOV
    slot ``v mod num_oov_indices`` (Keras's default; "farmhash" is refused).

    Example:
        >>> IntegerLookup(vocabulary=[12, 36, 1138, 42])([[12, 1138, 42], [42, 1000, 36]])
        array([[1, 3, 4], [4, 0, 2]])
    """

    input_kind = "index"

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                 vocabulary=None, vocabulary_dtype="int64", idf_weights=None, invert=False,
                 output_mode="int", sparse=False, pad_to_max_tokens=False,
                 oov_method="floormod", salt=None, **kwargs):
        if vocabulary_dtype != "int64":
            raise InvalidArgumentError(f"IntegerLookup: only vocabulary_dtype='int64' is "
                                       f"supported, received {vocabulary_dtype!r}")
        if oov_method != "floormod" or salt is not None:
            raise InvalidArgumentError(f"IntegerLookup: nnkit has oov_method='floormod' only "
                                       f"(no salt), received {oov_method!r}, salt={salt!r}")
        for argument, value in (("mask_token", mask_token), ("oov_token", oov_token)):
            if value is not None:
                validation.integer("IntegerLookup", argument, value)
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=None if mask_token is None else int(mask_token),
                         oov_token=None if oov_token is None else int(oov_token),
                         vocabulary=vocabulary, idf_weights=idf_weights, invert=invert,
                         output_mode=output_mode, sparse=sparse,
                         pad_to_max_tokens=pad_to_max_tokens, **kwargs)

    def token_of(self, value):
        return int(integer_array(value, self.where))

    def tokens_of(self, x):
        return integer_array(x, self.where).astype(object)

    def ids_of(self, x):
        return integer_array(x, self.where)

    def oov_bucket(self, tokens):
        return numpy.mod(numpy.asarray(tokens, dtype="int64"), self.num_oov_indices)

    def get_config(self):
        return {**super().get_config(), "vocabulary_dtype": "int64", "oov_method": "floormod",
                "salt": None}
