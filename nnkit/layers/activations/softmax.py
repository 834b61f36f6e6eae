"""Softmax: Keras's softmax layer, with its mask rule."""
from nnkit import validation
from nnkit.errors import DTypeError, InvalidArgumentError, ShapeError, describe
from nnkit.layers.base import Layer
from nnkit.registry import register_layer

#: what masked entries become before the softmax (Keras's value for float32/float64)
LARGE_NEGATIVE = -1e9


@register_layer
class Softmax(Layer):
    """``y = exp(x) / Σ exp(x)`` over ``axis``: Keras's ``Softmax`` (``Softmax()(x, mask=m)``).

    Masks (Keras's rule): ``m`` keeps the entries where it is True (or > 0.5);
    masked entries are set to a large negative before the softmax and to 0
    after it, so a fully masked row gives zeros. ``m`` broadcasts to ``x``
    from the right as Keras requires (each axis 1 or equal, rank at most x's);
    nnkit's sequence mask ``(N, T)`` of an ``(N, T, ...)`` input is also taken
    (it masks whole steps) and passed on to the next layer.

    Args:
        axis: the axis normalised, or a list of axes (default -1).

    Shapes:
        x, y: any ``(N, ...)``; m: broadcastable to x, or ``(N, T)``.

    Example:
        >>> Softmax()(np.array([[1.0, 2.0, 1.0]]), mask=np.array([[True, True, False]]))
        array([[0.26894142, 0.73105858, 0.        ]])
    """

    supports_masking = True
    fixed_input_axes = ()

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        axes = validation.integers(self.where, "axis", axis, low=None)
        if len(set(axes)) != len(axes):
            raise InvalidArgumentError(f"{self.where}: axis must not name an axis twice, "
                                       f"received {axis!r}")
        self.axis = list(axes) if isinstance(axis, (list, tuple)) else axes[0]
        self._axes = axes

    def check_mask(self, x, mask):
        """Keras's rule: a boolean (or > 0.5) mask broadcastable to ``x``, or ``(N, T)``."""
        if mask is None:
            return None
        xp = self.xp
        mask = xp.asarray(mask)
        if mask.dtype.kind not in "biuf":
            raise DTypeError(f"layer '{self.name}' (Softmax): expected a boolean or numeric "
                             f"mask, received {describe(mask)}")
        mask = mask if mask.dtype == bool else mask > 0.5
        if self._aligned_mask(x, mask) is None:
            raise ShapeError(f"layer '{self.name}' (Softmax): the mask must broadcast to the "
                             f"input (each axis, from the last, 1 or equal) or be its (N, T) "
                             f"steps; input {describe(x)}, mask {describe(mask)}")
        return mask

    @staticmethod
    def _aligned_mask(x, mask):
        """``mask`` in a shape that broadcasts to ``x`` (None if it cannot)."""
        if mask.ndim <= x.ndim and all(m in (1, n) for m, n in
                                       zip(mask.shape[::-1], x.shape[::-1])):
            return mask
        if tuple(mask.shape) == tuple(x.shape[:mask.ndim]):
            return mask.reshape(tuple(mask.shape) + (1,) * (x.ndim - mask.ndim))
        return None

    def compute_mask(self, x, mask):
        """A step mask ``(N, T)`` passes on; any other mask stays with this call."""
        return mask if mask is not None and tuple(mask.shape) == tuple(x.shape[:2]) else None

    def forward(self, x, training=False, mask=None):
        xp = self.xp
        axes = self._checked_axes(x)
        if mask is not None:
            mask = self._aligned_mask(x, mask)
            x = xp.where(mask, x, LARGE_NEGATIVE)
        e = xp.exp(x - x.max(axis=axes, keepdims=True))
        y = e / e.sum(axis=axes, keepdims=True)
        if mask is not None:
            y = xp.where(mask, y, 0)
        if training:
            self._cache = (y, axes)
        return y

    def backward(self, dy):
        """``dx = y ⊙ (dy − Σ dy ⊙ y)`` over the axes: zero at masked entries, where
        ``y`` is 0 (their inputs were replaced by a constant)."""
        (y, axes), self._cache = self._cache, None
        return y * (dy - (dy * y).sum(axis=axes, keepdims=True))

    def _checked_axes(self, x):
        axes = tuple(a % x.ndim for a in self._axes if -x.ndim <= a < x.ndim)
        if len(set(axes)) != len(self._axes):
            raise ShapeError(f"layer '{self.name}' (Softmax): axis {self.axis} is out of range "
                             f"or names an axis twice for input {describe(x)}")
        return axes

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
