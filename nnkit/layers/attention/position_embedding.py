"""PositionEmbedding: keras_hub's learned position embedding.

``y[n, t] = embeddings[start_index + t]`` for every example ``n``: the output
depends only on the input's shape (keras_hub's layer returns the embeddings
broadcast to the input's shape; adding them to the tokens is the caller's, or
``TokenAndPositionEmbedding``'s, job). The input's gradient is therefore zero,
and ``dL/dembeddings[start_index + t] = Σ_n dy[n, t]``.

Shapes:
    x ``(N, T, D)`` with ``start_index + T <= sequence_length``; y ``(N, T, D)``;
    embeddings ``(sequence_length, D)`` (keras_hub's weight ``position_embedding/embeddings``).

Differs from keras_hub: inputs are rank 3 (keras_hub also takes higher ranks, the sequence
on axis -2); the ``positions`` call argument (vLLM serving) is not taken. A mask on the
input is consumed (the output carries none), as keras_hub's layer drops it.

Example:
    >>> PositionEmbedding(10)(np.zeros((2, 4, 3))).shape
    (2, 4, 3)
"""
from nnkit import initializers, validation
from nnkit.errors import ShapeError
from nnkit.layers.base import Layer
from nnkit.registry import register_layer


@register_layer
class PositionEmbedding(Layer):
    """A learned embedding of each position (see the module docstring).

    Args:
        sequence_length: the longest sequence (number of rows of the table).
        initializer: the table's initializer (default Glorot uniform, as keras_hub).

    Call arguments:
        start_index: the position of the first step (cached decoding), default 0.
    """

    supports_masking = True
    input_ranks = (3,)
    regularizable = ()

    def __init__(self, sequence_length, initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        self.sequence_length = validation.positive_int(self.where, "sequence_length",
                                                       sequence_length)
        self.initializer = initializer

    def build(self, input_shape):
        self.add_weight("embeddings", (self.sequence_length, input_shape[-1]), self.initializer)
        super().build(input_shape)

    def compute_mask(self, x, mask):
        return None

    def rows(self, steps, start_index):
        """``(T, D)`` rows ``start_index .. start_index + T - 1`` of the table."""
        start = int(start_index)
        if start < 0 or start + steps > self.sequence_length:
            raise ShapeError(f"{self.where}: positions {start}..{start + steps - 1} are outside "
                             f"the table of sequence_length {self.sequence_length}")
        return self.params["embeddings"][start:start + steps]

    def forward(self, x, training=False, mask=None, start_index=0):
        rows = self.rows(x.shape[1], start_index)
        if training:
            self._cache = (int(start_index), x.shape[1])
        return self.xp.broadcast_to(rows, x.shape).copy()

    def backward(self, dy):
        """Add ``Σ_n dy`` into the rows used; the input's gradient is zero."""
        (start, steps), self._cache = self._cache, None
        self.grads["embeddings"][start:start + steps] += dy.sum(axis=0)
        return self.xp.zeros_like(dy)

    def get_config(self):
        return {**super().get_config(), "sequence_length": self.sequence_length,
                "initializer": initializers.serialize(self.initializer)}
