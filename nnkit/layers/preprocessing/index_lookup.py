"""IndexLookup: the shared core of StringLookup, IntegerLookup and TextVectorization.

Index layout (Keras's): in ``int`` mode ``[mask] + [oov] * num_oov_indices + tokens``; in the
other modes the mask token takes no slot (its occurrences are dropped). A vocabulary is
learned by ``adapt`` (rules in ``nnkit.layers.preprocessing.vocabulary``) or given by
``vocabulary=`` / ``set_vocabulary``. The layer has no weights and passes no gradient; its
vocabulary (and tf-idf weights) are saved as assets (``get_assets``/``set_assets``).
"""
import itertools

import numpy

from nnkit import validation
from nnkit.errors import InvalidArgumentError, NotBuiltError
from nnkit.layers.base import Layer
from nnkit.layers.preprocessing import encoding
from nnkit.layers.preprocessing.inputs import adapt_batches
from nnkit.layers.preprocessing.vocabulary import TokenCounts, padded_idf

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")
_OLD_MODE_NAMES = {"binary": "multi_hot", "tf-idf": "tf_idf"}


class IndexLookup(Layer):
    """Tokens to indices (or back, with ``invert``); see StringLookup for the arguments."""

    fixed_input_axes = ()

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=None,
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 sparse=False, pad_to_max_tokens=False, vocabulary_size=None, **kwargs):
        kwargs.pop("has_input_vocabulary", None)     # Keras's bookkeeping, derived here
        super().__init__(**kwargs)
        where = f"layer '{self.name}' ({type(self).__name__})"
        output_mode = _OLD_MODE_NAMES.get(output_mode, output_mode)
        if output_mode not in self.output_modes:
            raise InvalidArgumentError(f"{where}: output_mode must be one of "
                                       f"{self.output_modes}, received {output_mode!r}")
        max_tokens = validation.positive_int(where, "max_tokens", max_tokens, allow_none=True)
        if max_tokens is not None and max_tokens <= 1:
            raise InvalidArgumentError(f"{where}: max_tokens must be greater than 1 when set, "
                                       f"received {max_tokens!r}")
        sparse = validation.flag(where, "sparse", sparse)
        pad_to_max_tokens = validation.flag(where, "pad_to_max_tokens", pad_to_max_tokens)
        invert = validation.flag(where, "invert", invert)
        if pad_to_max_tokens and max_tokens is None:
            raise InvalidArgumentError(f"{where}: pad_to_max_tokens=True needs max_tokens")
        num_oov_indices = validation.non_negative_int(where, "num_oov_indices", num_oov_indices)
        if invert and output_mode != "int":
            raise InvalidArgumentError(f"{where}: invert=True needs output_mode='int', "
                                       f"received {output_mode!r}")
        if sparse and output_mode == "int":
            raise InvalidArgumentError(f"{where}: sparse=True needs output_mode 'one_hot', "
                                       f"'multi_hot', 'count' or 'tf_idf', received 'int'")
        if idf_weights is not None and output_mode != "tf_idf":
            raise InvalidArgumentError(f"{where}: idf_weights is only for output_mode='tf_idf'")
        if output_mode == "tf_idf" and vocabulary is not None and idf_weights is None:
            raise InvalidArgumentError(f"{where}: with vocabulary= in tf_idf mode, idf_weights= "
                                       f"must be given too")
        self.max_tokens = None if max_tokens is None else int(max_tokens)
        self.num_oov_indices = int(num_oov_indices)
        self.mask_token, self.oov_token = mask_token, oov_token
        self.invert, self.output_mode = bool(invert), output_mode
        self.sparse, self.pad_to_max_tokens = bool(sparse), bool(pad_to_max_tokens)
        self.input_vocabulary = None if vocabulary is None else list(vocabulary)
        self.input_idf_weights = None if idf_weights is None else [float(w) for w in idf_weights]
        self._frozen_size = vocabulary_size
        self._tokens, self._idf = [], None
        self._index = self._token_ids(self._token_start())
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    output_modes = OUTPUT_MODES

    @property
    def where(self):
        return f"layer '{self.name}' ({type(self).__name__})"

    # ---- vocabulary ------------------------------------------------------------------
    def _oov_start(self):
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start(self):
        return self._oov_start() + self.num_oov_indices

    def vocabulary_size(self):
        """Indices in use: special slots plus tokens."""
        return self._token_start() + len(self._tokens)

    def get_vocabulary(self, include_special_tokens=True):
        """The token of every index (``[mask] + [oov] * k + tokens`` in int mode)."""
        special = ([self.mask_token] * self._oov_start() + [self.oov_token] * self.num_oov_indices)
        return (special if include_special_tokens else []) + list(self._tokens)

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Replace the vocabulary (with or without the leading special tokens), as Keras.

        Raises:
            InvalidArgumentError: empty, repeated tokens, a special token elsewhere than at
                the start, larger than ``max_tokens``, or idf weights not matching.
        """
        if (self.output_mode == "tf_idf") != (idf_weights is not None):
            raise InvalidArgumentError(f"{self.where}: idf_weights must be given exactly when "
                                       f"output_mode is 'tf_idf'")
        vocabulary = [self.token_of(value) for value in vocabulary]
        if not vocabulary:
            raise InvalidArgumentError(f"{self.where}: cannot set an empty vocabulary")
        special = self.get_vocabulary()[:self._token_start()]
        found_special = vocabulary[:len(special)] == special
        tokens = vocabulary[len(special):] if found_special else vocabulary
        if len(set(tokens)) != len(tokens):
            repeated = sorted({t for t in tokens if tokens.count(t) > 1}, key=str)[:10]
            raise InvalidArgumentError(f"{self.where}: the vocabulary repeats tokens {repeated}")
        reserved = [t for t in (self.mask_token, self.oov_token if self.invert else None)
                    if t is not None and t in tokens]
        if reserved:
            raise InvalidArgumentError(f"{self.where}: reserved token {reserved[0]!r} found in "
                                       f"the vocabulary; give special tokens only at the start, "
                                       f"in this order: {special}")
        size = self._token_start() + len(tokens)
        if self.max_tokens is not None and size > self.max_tokens:
            raise InvalidArgumentError(f"{self.where}: a vocabulary of {size} entries is larger "
                                       f"than max_tokens={self.max_tokens}")
        self._set_tokens(tokens)
        if idf_weights is not None:
            weights = numpy.asarray(idf_weights, dtype=self.dtype).reshape(-1)
            if len(weights) != len(vocabulary):
                raise InvalidArgumentError(f"{self.where}: idf_weights has {len(weights)} "
                                           f"values for {len(vocabulary)} vocabulary entries")
            front = 0 if found_special else self._token_start()
            back = (self.max_tokens - front - len(weights)) if self.pad_to_max_tokens else 0
            self._idf = padded_idf(weights, front, back, weights.mean())

    def _token_ids(self, start):
        """``{token: id}`` of the tokens, and of the mask token: 0, or -1 (dropped) outside
        int mode."""
        index = {token: start + i for i, token in enumerate(self._tokens)}
        if self.mask_token is not None:
            index[self.mask_token] = 0 if self.output_mode == "int" else -1
        return index

    def _set_tokens(self, tokens):
        start = self._token_start()
        self._tokens = list(tokens)
        self._index = self._token_ids(start)
        if self.output_mode != "int" and not self.pad_to_max_tokens:
            if self._frozen_size is not None and self.built and \
                    self._frozen_size != self.vocabulary_size():
                raise InvalidArgumentError(
                    f"{self.where}: in output_mode={self.output_mode!r} the vocabulary size "
                    f"cannot change once the layer is built ({self._frozen_size} -> "
                    f"{self.vocabulary_size()})")
            self._frozen_size = self.vocabulary_size()

    def adapt(self, data, batch_size=None, steps=None):
        """Learn the vocabulary (and document frequencies for tf_idf) from ``data``."""
        if self.input_vocabulary is not None:
            raise InvalidArgumentError(f"{self.where}: cannot adapt a layer given a fixed "
                                       f"vocabulary (vocabulary= or set_vocabulary)")
        counts = TokenCounts(self.output_mode == "tf_idf")
        for batch, whole in adapt_batches(data, steps, f"{self.where}.adapt"):
            counts.update(self.documents(batch, whole))
        start = self._token_start()
        limit = None if self.max_tokens is None else self.max_tokens - start
        tokens = counts.ordered_tokens({self.mask_token, self.oov_token}, limit)
        if not tokens:
            return
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            weights = counts.idf_weights(tokens, self.dtype)
            back = self.max_tokens - start - len(weights) if self.pad_to_max_tokens else 0
            self._idf = padded_idf(weights, start, back, weights.mean(dtype=weights.dtype))

    # ---- calling ---------------------------------------------------------------------
    def depth(self):
        """Width of the multi_hot/count/tf_idf/one_hot outputs."""
        if self.pad_to_max_tokens:
            return self.max_tokens
        if self._frozen_size is None:
            raise NotBuiltError(f"{self.where}: in output_mode={self.output_mode!r} set the "
                                f"vocabulary (adapt, vocabulary= or set_vocabulary) before "
                                f"calling the layer")
        return int(self._frozen_size)

    def lookup(self, tokens):
        """Flat ``tokens`` (a list) to int64 ids: mask → 0 (int mode) or -1 (dropped), OOV →
        the OOV slot(s).

        Raises:
            InvalidArgumentError: an OOV token with ``num_oov_indices=0``.
        """
        start = self._oov_start()
        default = start if self.num_oov_indices else -2
        ids = numpy.fromiter(map(self._index.get, tokens, itertools.repeat(default)),
                             dtype="int64", count=len(tokens))
        if self.num_oov_indices > 1:
            oov = ids == start
            ids[oov] = start + self.oov_bucket([t for t, o in zip(tokens, oov) if o])
        if self.num_oov_indices == 0 and (ids == -2).any():
            unknown = [t for t, i in zip(tokens, ids) if i == -2][:5]
            raise InvalidArgumentError(f"{self.where}: with num_oov_indices=0 every input must be "
                                       f"in the vocabulary; found {unknown}")
        return ids

    def oov_bucket(self, tokens):
        """The OOV slot (0..num_oov_indices-1) of each out-of-vocabulary token."""
        raise NotImplementedError

    def invert_ids(self, ids):
        """int ids (any shape) back to tokens (an object array); unknown ids give the OOV token."""
        vocabulary = self.get_vocabulary()
        flat = [vocabulary[i] if 0 <= i < len(vocabulary) else self.oov_token
                for i in ids.reshape(-1).tolist()]
        out = numpy.empty(len(flat), dtype=object)
        out[:] = flat
        return out.reshape(ids.shape)

    def encode(self, ids, lengths):
        """Rows of flat ``ids`` (``lengths`` per row) as the non-int output ``(N, depth)``."""
        rows = numpy.repeat(numpy.arange(len(lengths)), lengths)
        if self.output_mode == "tf_idf" and self._idf is None:
            raise NotBuiltError(f"{self.where}: tf_idf needs idf weights (adapt, or "
                                f"set_vocabulary(..., idf_weights=...))")
        return encoding.bag_of_tokens(ids, rows, len(lengths), self.depth(), self.output_mode,
                                      self._idf, self.dtype, self.sparse)

    def backward(self, dy):
        return None

    def output_dtype(self, input_dtype):
        return "int64" if self.output_mode == "int" and not self.invert else (
            "string" if self.invert else self.dtype)

    # ---- saving ----------------------------------------------------------------------
    def get_assets(self):
        """The learned state as JSON-able values: the vocabulary and the idf weights."""
        return {"vocabulary": self.get_vocabulary(),
                "idf_weights": None if self._idf is None else [float(w) for w in self._idf]}

    def set_assets(self, assets):
        """Restore ``get_assets`` output."""
        weights = assets.get("idf_weights")
        vocabulary = assets["vocabulary"]
        if weights is not None and self.pad_to_max_tokens:
            weights = weights[:len(vocabulary)]
        self.set_vocabulary(vocabulary, weights)

    def get_config(self):
        return {**super().get_config(), "max_tokens": self.max_tokens,
                "num_oov_indices": self.num_oov_indices, "mask_token": self.mask_token,
                "oov_token": self.oov_token, "output_mode": self.output_mode,
                "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
                "invert": self.invert, "vocabulary": self.input_vocabulary,
                "idf_weights": self.input_idf_weights,
                "vocabulary_size": self.vocabulary_size() if self._tokens else self._frozen_size}
