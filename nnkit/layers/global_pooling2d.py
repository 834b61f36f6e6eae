"""Global pooling over the two spatial axes of ``(N, H, W, C)``."""
from nnkit.layers.base import Layer
from nnkit.registry import register_layer


class _GlobalPooling2D(Layer):
    input_ranks = (4,)

    def compute_output_shape(self, input_shape):
        return (input_shape[-1],)


@register_layer
class GlobalAveragePooling2D(_GlobalPooling2D):
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


@register_layer
class GlobalMaxPooling2D(_GlobalPooling2D):
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
