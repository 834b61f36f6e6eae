"""Masking: a padding mask for float sequences."""
from nnkit import validation
from nnkit.layers.base import Layer
from nnkit.registry import register_layer


@register_layer
class Masking(Layer):
    """Keras's ``Masking``: a step whose features all equal ``mask_value`` is padding.

    The mask ``(N, T)`` (True = real step) flows to the next layers, and the
    masked steps' outputs are zeroed (as Keras). A mask arriving from an
    earlier layer is replaced by this one (as Keras).

    Args:
        mask_value: the value that marks padding (default 0.0); finite (NaN never equals
            itself, so it would mask nothing; Keras takes it).

    Shapes:
        x, y: ``(N, T, D)``; mask: ``(N, T)``.

    Example:
        >>> model = Sequential([Masking(), LSTM(8)])   # zero rows of x are skipped
    """

    supports_masking = True
    input_ranks = (3,)

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = validation.real(self.where, "mask_value", mask_value)

    def compute_mask(self, x, mask):
        return (x != self.mask_value).any(axis=-1)

    def forward(self, x, training=False, mask=None):
        keep = self.compute_mask(x, None)[:, :, None]
        if training:
            self._cache = keep
        return x * keep

    def backward(self, dy):
        keep, self._cache = self._cache, None
        return dy * keep if self.needs_input_grad else None

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}
