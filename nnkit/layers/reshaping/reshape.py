"""Reshape: each example to a given shape."""
import math

from nnkit import validation
from nnkit.errors import InvalidArgumentError, ShapeError, describe
from nnkit.layers.base import Layer
from nnkit.registry import register_layer


@register_layer
class Reshape(Layer):
    """Reshape each example to ``target_shape`` (C order; one entry may be -1), Keras's ``Reshape``.

    Args:
        target_shape: shape of one output example, without the batch axis.

    Shapes:
        x: ``(N, ...)``; y: ``(N, *target_shape)``. A mask is refused.

    Raises:
        ShapeError: the example's size does not fit ``target_shape``.

    Example:
        >>> Reshape((3, 4))(np.ones((2, 12))).shape
        (2, 3, 4)
    """

    fixed_input_axes = ()

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        target = validation.integers(self.where, "target_shape", target_shape, low=-1)
        if sum(size == -1 for size in target) > 1 or 0 in target:
            raise InvalidArgumentError(f"layer '{self.name}' (Reshape): target_shape must hold "
                                       f"positive sizes and at most one -1, received "
                                       f"{target_shape!r}")
        self.target_shape = target

    def example_output_shape(self, input_shape):
        size = math.prod(input_shape)
        known = math.prod(s for s in self.target_shape if s != -1)
        if (-1 in self.target_shape and size % known) or \
                (-1 not in self.target_shape and size != known):
            raise ShapeError(f"layer '{self.name}' (Reshape): an example of shape "
                             f"{tuple(input_shape)} ({size} entries) cannot be reshaped to "
                             f"{self.target_shape}")
        return tuple(size // known if s == -1 else s for s in self.target_shape)

    def forward(self, x, training=False, mask=None):
        try:
            target = self.example_output_shape(tuple(x.shape[1:]))
        except ShapeError:
            raise ShapeError(f"layer '{self.name}' (Reshape): cannot reshape input "
                             f"{describe(x)} to (N, {', '.join(map(str, self.target_shape))})"
                             ) from None
        if training:
            self._cache = x.shape
        return x.reshape((x.shape[0],) + target)

    def backward(self, dy):
        shape, self._cache = self._cache, None
        return dy.reshape(shape)

    def get_config(self):
        return {**super().get_config(), "target_shape": list(self.target_shape)}
