"""Lookup: the calling side shared by StringLookup and IntegerLookup (tokens of any shape in,
ids or encodings out)."""
import numpy

from nnkit.errors import ShapeError, describe
from nnkit.layers.preprocessing import encoding
from nnkit.layers.preprocessing.index_lookup import IndexLookup


class Lookup(IndexLookup):
    """An IndexLookup called on arrays of tokens ``(N, ...)``; subclasses convert the tokens
    (``tokens_of``) and one value (``token_of``).

    Shapes:
        int: x ``(N, ...)`` → ids ``(N, ...)`` int64 (tokens back with ``invert``);
        one_hot: ``(N, ..., V)`` (a trailing axis of 1 replaced);
        multi_hot/count/tf_idf: x ``(N,)`` or ``(N, T)`` → ``(N, V)`` (CSR when ``sparse``).
    """

    def check_input(self, x):
        x = self.ids_of(x) if self.invert else self.tokens_of(x)
        if x.ndim == 0 or x.size == 0:
            raise ShapeError(f"{self.where}: expected a non-empty batch (N, ...), received "
                             f"{describe(x)}")
        if self.output_mode in ("multi_hot", "count", "tf_idf") and x.ndim > 2:
            raise ShapeError(f"{self.where}: output_mode={self.output_mode!r} takes (N,) or "
                             f"(N, T) inputs, received {describe(x)}")
        return x

    def documents(self, batch, whole):
        """The documents (lists of tokens) of one ``adapt`` batch."""
        array = self.tokens_of(batch)
        if array.ndim == 0 or (array.ndim == 1 and not whole):
            return [array.reshape(-1).tolist()]
        return array.reshape(array.shape[0], -1).tolist()

    def forward(self, x, training=False, mask=None):
        if self.invert:
            return self.invert_ids(x)
        ids = self.lookup(x.reshape(-1).tolist()).reshape(x.shape)
        if self.output_mode == "int":
            return ids
        if self.output_mode == "one_hot":
            return encoding.one_hot(ids, x.shape, self.depth(), self.dtype, self.sparse)
        rows = ids.reshape(x.shape[0], -1)
        return self.encode(rows.reshape(-1), numpy.full(rows.shape[0], rows.shape[1]))

    def example_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        if self.output_mode == "one_hot":
            kept = input_shape[:-1] if input_shape and input_shape[-1] == 1 else input_shape
            return kept + (self.depth(),)
        return (self.depth(),)
