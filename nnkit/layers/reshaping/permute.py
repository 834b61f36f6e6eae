"""Permute: reorder the non-batch axes."""
from nnkit import validation
from nnkit.errors import InvalidArgumentError
from nnkit.layers.base import Layer
from nnkit.registry import register_layer


@register_layer
class Permute(Layer):
    """Transpose the axes of each example; ``dims`` are 1-based, as in Keras's ``Permute``.

    Args:
        dims: a permutation of ``1 … rank − 1`` (the batch axis 0 stays first).

    Shapes:
        x: ``(N, d1, ..., dk)``; y: ``(N, d_dims[0], ..., d_dims[k-1])``. A mask is refused.

    Example:
        >>> Permute((2, 1))(np.ones((2, 3, 4))).shape
        (2, 4, 3)
    """

    fixed_input_axes = ()

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        dims = validation.integers(self.where, "dims", dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise InvalidArgumentError(f"layer '{self.name}' (Permute): dims must be a "
                                       f"permutation of 1..{len(dims)}, received {dims!r}")
        self.dims = dims
        self.input_ranks = (len(dims) + 1,)

    def example_output_shape(self, input_shape):
        return tuple(input_shape[d - 1] for d in self.dims)

    def forward(self, x, training=False, mask=None):
        return self.xp.ascontiguousarray(x.transpose((0,) + self.dims))

    def backward(self, dy):
        inverse = [0] * (len(self.dims) + 1)
        for position, axis in enumerate((0,) + self.dims):
            inverse[axis] = position
        return self.xp.ascontiguousarray(dy.transpose(inverse))

    def get_config(self):
        return {**super().get_config(), "dims": list(self.dims)}
