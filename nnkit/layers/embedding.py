"""Embedding: token ids to dense vectors, optionally producing a padding mask."""
from nnkit import initializers, validation
from nnkit.backend import get_backend
from nnkit.errors import InvalidArgumentError
from nnkit.layers.base import Layer
from nnkit.layers.keywords import warn_user
from nnkit.registry import register_layer


@register_layer
class Embedding(Layer):
    """Look up row ``x[n, t]`` of an ``(V, E)`` table.

    Args:
        input_dim: vocabulary size V (ids in ``[0, V)``).
        output_dim: embedding size E.
        mask_zero: id 0 is padding; a boolean mask ``(N, T)`` (True = real
            token) flows to the next layers.
        embeddings_initializer: an initializer (``nnkit.initializers``); default
            U(-0.05, 0.05), Keras's ``RandomUniform()``.
        input_length: Keras 2's argument, deprecated in Keras 3: accepted with
            Keras 3's warning and ignored, as Keras 3 does (sequences of any
            length are taken; give ``Input((T,))`` to fix the shape).

    Shapes:
        x: ``(N, T)`` integer ids (any rank, as Keras; whole-number floats are cast);
        y: ``(N, T, E)``; embeddings: ``(V, E)``.
        The gradient touches only the rows of the ids in the batch; those
        rows are reported in ``grad_rows`` (NumPy backend).
    """

    input_kind = "index"
    row_sparse_grads = ("embeddings",)
    regularizable = ("embeddings",)
    input_ranks = (1, 2, 3, 4)
    fixed_input_axes = ()

    def __init__(self, input_dim, output_dim, mask_zero=False,
                 embeddings_initializer=("uniform", {"scale": 0.05}), **kwargs):
        if kwargs.pop("input_length", None) is not None:
            warn_user("Argument `input_length` is deprecated. Just remove it.")
        super().__init__(**kwargs)
        self.input_dim = validation.positive_int(self.where, "input_dim", input_dim)
        self.output_dim = validation.positive_int(self.where, "output_dim", output_dim)
        self.mask_zero = validation.flag(self.where, "mask_zero", mask_zero)
        self.embeddings_initializer = embeddings_initializer

    def build(self, input_shape):
        self.add_weight("embeddings", (self.input_dim, self.output_dim),
                        self.embeddings_initializer)
        super().build(input_shape)

    def example_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def compute_mask(self, x, mask):
        return (x != 0) if self.mask_zero else None

    def forward(self, x, training=False, mask=None):
        if x.size and (int(x.min()) < 0 or int(x.max()) >= self.input_dim):
            raise InvalidArgumentError(
                f"layer '{self.name}' (Embedding): token ids must be in [0, {self.input_dim}), "
                f"received ids in [{int(x.min())}, {int(x.max())}]")
        if training:
            self._cache = x
        table = self.params["embeddings"]
        return table.take(x, axis=0)  # take: ~1.5x faster than [x]

    def backward(self, dy):
        ids, self._cache = self._cache, None
        rows = get_backend().scatter_add_rows(self.grads["embeddings"], ids.ravel(),
                                              dy.reshape(-1, self.output_dim))
        self.note_grad_rows("embeddings", rows)
        return None

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim,
                "output_dim": self.output_dim, "mask_zero": self.mask_zero,
                "embeddings_initializer": initializers.serialize(self.embeddings_initializer)}
