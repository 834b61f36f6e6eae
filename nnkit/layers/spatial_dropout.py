"""SpatialDropout1D: drop whole feature channels of a sequence."""
from nnkit.layers.base import Layer
from nnkit.layers.dropout import check_rate, dropout_mask
from nnkit.registry import register_layer


@register_layer
class SpatialDropout1D(Layer):
    """Keras's ``SpatialDropout1D``: one keep-mask per sequence and channel, reused at every step.

    Inverted (kept channels scaled by ``1/(1 − rate)``), training only; the mask
    passes through.

    Args:
        rate: fraction of channels dropped, in [0, 1).

    Shapes:
        x, y: ``(N, T, D)``; the keep-mask is ``(N, 1, D)``.
    """

    supports_masking = True
    input_ranks = (3,)

    def __init__(self, rate, **kwargs):
        super().__init__(**kwargs)
        self.rate = check_rate(self.name, "rate", rate)

    def forward(self, x, training=False, mask=None):
        if not training or self.rate == 0.0:
            self._cache = None
            return x
        self._cache = dropout_mask((x.shape[0], 1, x.shape[2]), self.rate, x.dtype)
        return x * self._cache

    def backward(self, dy):
        keep, self._cache = self._cache, None
        return dy if keep is None else dy * keep

    def get_config(self):
        return {**super().get_config(), "rate": self.rate}
