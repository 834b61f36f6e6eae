"""Global pooling over the two spatial axes of ``(N, H, W, C)`` (or ``(N, C, H, W)``)."""
from nnkit.layers.base import Layer
from nnkit.layers.data_format import ChannelsFirst
from nnkit.registry import register_layer


class _GlobalPooling2D(Layer):
    """Shared shape rule: ``(N, H, W, C)`` → ``(N, C)``.

    Args:
        data_format: "channels_last" ``(N, H, W, C)``, "channels_first"
            ``(N, C, H, W)`` or None (``nnkit.config.image_data_format()``). The
            public classes derive from ``ChannelsFirst`` first (so that it wraps
            forward and backward).
    """

    input_ranks = (4,)

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.set_data_format(data_format)

    def example_output_shape(self, input_shape):
        return (input_shape[-1],)


class _GlobalAverage2D(_GlobalPooling2D):
    """Mean over height and width per channel.

    Shapes:
        x: ``(N, H, W, C)``; y: ``(N, C)``.
    """

    def forward(self, x, training=False, mask=None):
        if training:
            self._cache = x.shape
        return x.mean(axis=(1, 2))

    def backward(self, dy):
        shape, self._cache = self._cache, None
        share = dy / (shape[1] * shape[2])
        return self.xp.broadcast_to(share[:, None, None, :], shape).copy()


class _GlobalMax2D(_GlobalPooling2D):
    """Maximum over height and width per channel; the gradient goes to the first maximum.

    Shapes:
        x: ``(N, H, W, C)``; y: ``(N, C)``.
    """

    def forward(self, x, training=False, mask=None):
        flat = x.reshape(x.shape[0], -1, x.shape[-1])                  # (N, H·W, C)
        winner = flat.argmax(axis=1)                                   # (N, C)
        if training:
            self._cache = (winner, x.shape)
        return self.xp.take_along_axis(flat, winner[:, None, :], axis=1)[:, 0, :]

    def backward(self, dy):
        (winner, shape), self._cache = self._cache, None
        positions = self.xp.arange(shape[1] * shape[2])[None, :, None]
        return ((positions == winner[:, None, :]) * dy[:, None, :]).reshape(shape)


@register_layer
class GlobalAveragePooling2D(ChannelsFirst, _GlobalAverage2D):
    __doc__ = _GlobalAverage2D.__doc__


@register_layer
class GlobalMaxPooling2D(ChannelsFirst, _GlobalMax2D):
    __doc__ = _GlobalMax2D.__doc__
