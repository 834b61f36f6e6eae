"""ReLU and LeakyReLU: Keras's piecewise-linear activation layers.

``y = min(x, max_value)`` where ``x > threshold``, ``negative_slope · (x − threshold)``
elsewhere (``max_value`` None: no cap), which is Keras's ``relu``:
``clip(where(x > t, x, 0), 0, max_value) − negative_slope · max(t − x, 0)``.
LeakyReLU is the case ``threshold = 0``, no cap.
"""
from nnkit import validation
from nnkit.layers.base import Layer
from nnkit.layers.keywords import warn_user
from nnkit.registry import register_layer


class _RectifiedLinear(Layer):
    """The shared forward and backward; a subclass sets ``negative_slope``,
    ``max_value`` and ``threshold`` (checked by ``_set``).

    Shapes:
        x, y: any ``(N, ...)``; the mask passes through.
    """

    supports_masking = True
    fixed_input_axes = ()

    def _set(self, negative_slope, max_value, threshold):
        """Store the three parameters; each must be ≥ 0 (``max_value`` may be None)."""
        self.negative_slope = validation.non_negative(self.where, "negative_slope",
                                                      negative_slope)
        self.max_value = validation.non_negative(self.where, "max_value", max_value,
                                                 allow_none=True)
        self.threshold = validation.non_negative(self.where, "threshold", threshold)

    def forward(self, x, training=False, mask=None):
        xp = self.xp
        y = xp.where(x > self.threshold, x, 0)
        if self.max_value is not None:
            y = xp.minimum(y, self.max_value)
        if self.negative_slope:
            y = y - self.negative_slope * xp.maximum(self.threshold - x, 0)
        if training:
            self._cache = x
        return y

    def backward(self, dy):
        """``dx = dy`` where ``threshold < x < max_value``, ``negative_slope · dy`` where
        ``x < threshold``, 0 elsewhere."""
        x, self._cache = self._cache, None
        slope = x > self.threshold
        if self.max_value is not None:
            slope &= x < self.max_value
        slope = slope.astype(dy.dtype)
        if self.negative_slope:
            slope += self.negative_slope * (x < self.threshold)
        return dy * slope


@register_layer
class ReLU(_RectifiedLinear):
    """Keras's ``ReLU`` layer (see the module docstring for the formula).

    Args:
        max_value: the cap (≥ 0), None for none.
        negative_slope: slope below the threshold (≥ 0).
        threshold: where the function bends (≥ 0).

    Example:
        >>> ReLU(max_value=10, negative_slope=0.5)(np.array([[-10., -5, 0, 5, 10]]))
        array([[-5. , -2.5,  0. ,  5. , 10. ]])
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        self._set(negative_slope, max_value, threshold)

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


@register_layer
class LeakyReLU(_RectifiedLinear):
    """Keras's ``LeakyReLU``: ``y = x`` for ``x ≥ 0``, ``negative_slope · x`` below.

    Args:
        negative_slope: the slope below zero (≥ 0; default 0.3, as Keras).
        alpha: Keras 2's name of ``negative_slope``: taken (and preferred, as
            Keras 3 does) with Keras 3's deprecation warning.
    """

    def __init__(self, negative_slope=0.3, alpha=None, **kwargs):
        if alpha is not None:
            warn_user("Argument `alpha` is deprecated. Use `negative_slope` instead.")
            negative_slope = alpha
        super().__init__(**kwargs)
        self._set(negative_slope, None, 0.0)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}
