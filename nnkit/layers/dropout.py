"""Dropout: inverted dropout, active only in training."""
from nnkit import random, validation
from nnkit.backend import get_backend
from nnkit.layers.base import Layer
from nnkit.registry import register_layer


def dropout_mask(shape, rate, dtype):
    """A keep-mask scaled by ``1 / (1 - rate)`` (inverted dropout), on the backend.

    Drawn from nnkit's generator, so a seed fixes every mask on every backend.
    """
    keep = random.generator().random(shape) >= rate
    return get_backend().asarray(keep, dtype=dtype) * (1.0 / (1.0 - rate))


@register_layer
class Dropout(Layer):
    """Zero each element with probability ``rate`` and scale the rest by ``1/(1-rate)``.

    Off in predict/evaluate (``training=False``), so inference needs no rescaling.

    Shapes:
        x, y: any ``(N, ...)``.
    """

    supports_masking = True
    fixed_input_axes = ()

    def __init__(self, rate, **kwargs):
        super().__init__(**kwargs)
        self.rate = validation.rate(self.where, "rate", rate)

    def keep_shape(self, x):
        """Shape of the keep-mask for ``x`` (broadcast against it): one entry per element."""
        return x.shape

    def forward(self, x, training=False, mask=None):
        if not training or self.rate == 0.0:
            self._cache = None
            return x
        self._cache = dropout_mask(self.keep_shape(x), self.rate, x.dtype)
        return x * self._cache

    def backward(self, dy):
        keep, self._cache = self._cache, None
        return dy if keep is None else dy * keep

    def get_config(self):
        return {**super().get_config(), "rate": self.rate}
