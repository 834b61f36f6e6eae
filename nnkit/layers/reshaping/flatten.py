"""Flatten: every axis but the batch axis into one."""
import math

from nnkit.layers.base import Layer
from nnkit.registry import register_layer


@register_layer
class Flatten(Layer):
    """``(N, d1, d2, ...)`` → ``(N, d1·d2·...)`` in C order (Keras's ``Flatten``, channels last).

    Shapes:
        x: ``(N, ...)``; y: ``(N, prod(...))``. A mask is refused.

    Example:
        >>> Flatten()(np.ones((2, 3, 4))).shape
        (2, 12)
    """

    fixed_input_axes = ()

    def compute_output_shape(self, input_shape):
        return (math.prod(input_shape),)

    def forward(self, x, training=False, mask=None):
        if training:
            self._cache = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dy):
        shape, self._cache = self._cache, None
        return dy.reshape(shape)
