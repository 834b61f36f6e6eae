"""ELU: Keras's exponential linear unit layer."""
from nnkit import validation
from nnkit.layers.base import Layer
from nnkit.registry import register_layer


@register_layer
class ELU(Layer):
    """``y = x`` for ``x > 0``, ``alpha · (exp(x) − 1)`` otherwise (Keras's ``ELU``).

    Args:
        alpha: scale of the negative part (default 1.0), a finite number.

    Shapes:
        x, y: any ``(N, ...)``; the mask passes through.

    Keras 3.15's ELU leaves ``alpha`` out of its config (a reloaded Keras ELU
    has alpha 1.0); nnkit records it.
    """

    supports_masking = True
    fixed_input_axes = ()

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = validation.real(self.where, "alpha", alpha)

    def forward(self, x, training=False, mask=None):
        xp = self.xp
        y = xp.where(x > 0, x, self.alpha * xp.expm1(xp.minimum(x, 0)))
        if training:
            self._cache = (x, y)
        return y

    def backward(self, dy):
        """``dx = dy`` for ``x > 0``, ``dy · (y + alpha)`` (= ``alpha · exp(x)``) otherwise."""
        (x, y), self._cache = self._cache, None
        return dy * self.xp.where(x > 0, 1.0, y + self.alpha)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}
