"""TextVectorization: raw strings to token ids or bag-of-words vectors, inside the model
(Keras 3's ``keras.layers.TextVectorization``, without TensorFlow)."""
import numpy

from nnkit import validation
from nnkit.errors import InvalidArgumentError, ShapeError, describe
from nnkit.layers.preprocessing import text_rules
from nnkit.layers.preprocessing.encoding import padded_rows
from nnkit.layers.preprocessing.index_lookup import IndexLookup
from nnkit.layers.preprocessing.inputs import string_array
from nnkit.registry import register_layer


@register_layer
class TextVectorization(IndexLookup):
    """Standardize, split, form n-grams, then index each string's tokens.

    The vocabulary (``adapt``) is Keras's token for token: index 0 is padding ``""``, 1 is
    ``"[UNK]"`` (in ``int`` mode; the other modes have no padding slot), then tokens by
    descending count, ties by descending token; ``max_tokens`` counts the special slots.
    The text rules are in ``nnkit.layers.preprocessing.text_rules``.

    Args (Keras 3's): max_tokens, standardize (None, "lower_and_strip_punctuation",
    "lower", "strip_punctuation" or a registered callable), split (None, "whitespace",
    "character" or a registered callable), ngrams (None, n for 1..n, or a tuple of widths),
    output_mode ("int", "multi_hot", "count", "tf_idf"), output_sequence_length (int mode:
    pad/truncate to T), pad_to_max_tokens, vocabulary, idf_weights, sparse (CSR output),
    ragged (int mode: a list of 1-D id arrays; not usable inside a model), encoding.

    Shapes:
        x: ``(N,)`` or ``(N, 1)`` strings. int: ``(N, T)`` int64, zero-padded to the longest
        row or to ``output_sequence_length``; multi_hot/count/tf_idf: ``(N, V)`` floatx
        (``V = max_tokens`` with ``pad_to_max_tokens``), a ``CSRMatrix`` when ``sparse``.
        No mask (put ``Embedding(mask_zero=True)`` after it) and no gradient.

    Example:
        >>> layer = TextVectorization(max_tokens=5000, output_sequence_length=4)
        >>> layer.adapt(["foo bar", "bar baz", "baz bada boom"])
        >>> layer([["foo qux bar"], ["qux baz"]])
        array([[4, 1, 3, 0], [1, 2, 0, 0]])
    """

    input_kind = "string"
    output_modes = ("int", "multi_hot", "count", "tf_idf")

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int",
                 output_sequence_length=None, pad_to_max_tokens=False, vocabulary=None,
                 idf_weights=None, sparse=False, ragged=False, encoding="utf-8", **kwargs):
        where = f"TextVectorization '{kwargs.get('name')}'"
        self.standardize = text_rules.deserialize_rule(standardize, "standardize",
                                                       text_rules.STANDARDIZE_NAMES)
        self.split = text_rules.deserialize_rule(split, "split", text_rules.SPLIT_NAMES)
        if isinstance(ngrams, list):
            ngrams = tuple(ngrams)
        if not (ngrams is None or (isinstance(ngrams, int) and not isinstance(ngrams, bool)
                                   and ngrams >= 1) or
                (isinstance(ngrams, tuple) and ngrams and
                 all(isinstance(n, int) and n >= 1 for n in ngrams))):
            raise InvalidArgumentError(f"{where}: ngrams must be None, a positive integer or a "
                                       f"tuple of them, received {ngrams!r}")
        mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        output_sequence_length = validation.positive_int(where, "output_sequence_length",
                                                         output_sequence_length, allow_none=True)
        if output_sequence_length is not None and mode != "int":
            raise InvalidArgumentError(f"{where}: output_sequence_length must be a positive "
                                       f"integer, in output_mode 'int' only; received "
                                       f"{output_sequence_length!r} with {output_mode!r}")
        ragged = validation.flag(where, "ragged", ragged)
        if ragged and mode != "int":
            raise InvalidArgumentError(f"{where}: ragged=True needs output_mode='int'")
        if str(encoding).lower().replace("_", "-") not in ("utf-8", "utf8"):
            raise InvalidArgumentError(f"{where}: nnkit reads UTF-8 only, received "
                                       f"encoding={encoding!r}")
        self.ngrams = ngrams
        self._widths = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self.output_sequence_length = (None if output_sequence_length is None
                                       else int(output_sequence_length))
        self.ragged, self.encoding = bool(ragged), "utf-8"
        super().__init__(max_tokens=max_tokens, num_oov_indices=1, mask_token="",
                         oov_token="[UNK]", vocabulary=vocabulary, idf_weights=idf_weights,
                         output_mode=mode, sparse=sparse, pad_to_max_tokens=pad_to_max_tokens,
                         **kwargs)

    def token_of(self, value):
        return string_array(value, self.where).item()

    def check_input(self, x):
        x = string_array(x, self.where)
        if x.ndim == 2 and x.shape[1] == 1:
            x = x[:, 0]
        if x.ndim != 1 or x.size == 0:
            raise ShapeError(f"{self.where}: expected a non-empty batch of strings (N,) or "
                             f"(N, 1), received {describe(x)}")
        return x

    def tokens(self, texts):
        """Each text's tokens after standardize, split and n-grams (a list of lists)."""
        texts = text_rules.standardize(list(texts), self.standardize)
        return text_rules.ngrams(text_rules.split(texts, self.split), self._widths)

    def documents(self, batch, whole):
        return self.tokens(self.check_input(batch).tolist())

    def forward(self, x, training=False, mask=None):
        rows = self.tokens(x.tolist())
        lengths = numpy.fromiter((len(row) for row in rows), dtype="int64", count=len(rows))
        ids = self.lookup([token for row in rows for token in row])
        if self.output_mode != "int":
            return self.encode(ids, lengths)
        if self.split is None and self.output_sequence_length is None:
            return ids                       # one token per string: (N,), as Keras
        if self.ragged:
            ends = numpy.cumsum(lengths)
            return [ids[end - n:end][:self.output_sequence_length]
                    for end, n in zip(ends, lengths)]
        return padded_rows(ids, lengths, self.output_sequence_length)

    def compute_mask(self, x, mask):
        return None

    def example_output_shape(self, input_shape):
        if self.output_mode == "int":
            if self.split is None and self.output_sequence_length is None:
                return ()
            return (self.output_sequence_length,)
        return (self.depth(),)

    def get_config(self):
        config = super().get_config()
        for key in ("num_oov_indices", "mask_token", "oov_token", "invert"):
            del config[key]
        return {**config, "standardize": text_rules.serialize_rule(self.standardize),
                "split": text_rules.serialize_rule(self.split), "ngrams": self.ngrams,
                "output_sequence_length": self.output_sequence_length, "ragged": self.ragged,
                "encoding": self.encoding}
