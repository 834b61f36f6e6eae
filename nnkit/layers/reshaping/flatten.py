"""Flatten: every axis but the batch axis into one."""
import math

from nnkit.layers.base import Layer
from nnkit.layers.data_format import ChannelsFirst
from nnkit.registry import register_layer


class _Flatten(Layer):
    """The channels-last flattening that ``Flatten`` wraps."""

    fixed_input_axes = ()

    def example_output_shape(self, input_shape):
        return (math.prod(input_shape),)

    def forward(self, x, training=False, mask=None):
        if training:
            self._cache = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dy):
        shape, self._cache = self._cache, None
        return dy.reshape(shape)


@register_layer
class Flatten(ChannelsFirst, _Flatten):
    """``(N, d1, d2, ...)`` → ``(N, d1·d2·...)`` in C order (Keras's ``Flatten``).

    Args:
        data_format: "channels_last", "channels_first" (``(N, C, d1, ...)`` is
            flattened as ``(N, d1, ..., C)``, as Keras does) or None
            (``nnkit.config.image_data_format()``).

    Shapes:
        x: ``(N, ...)``; y: ``(N, prod(...))``. A mask is refused.

    Example:
        >>> Flatten()(np.ones((2, 3, 4))).shape
        (2, 12)
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.set_data_format(data_format)
