"""Spread and size of ``x`` over axes: ``var``, ``std``, ``logsumexp`` and ``norm``.

Reductions (``nnkit.ops.reductions``): ``axis`` None (every axis), an int or a tuple,
``keepdims`` as there; the backward spreads ``dy`` back over the reduced axes (``spread``)
times each element's partial derivative. Integer inputs give ``floatx()``.
"""
from nnkit.errors import InvalidArgumentError
from nnkit.ops.op import OPS, as_float
from nnkit.ops.reductions import Reduction, count_of, spread

__all__ = ["std", "var", "norm", "logsumexp"]


@OPS.register
class Var(Reduction):
    """``y = Σ (x - m)² / n`` (m the mean, the population variance as NumPy);
    ``dx = dy · 2 (x - m) / n``."""

    name = "var"

    def forward(self, xp, x):
        x, axes = as_float(xp, x), self.axes(x)
        centred = x - x.mean(axis=axes, keepdims=True)
        count = count_of(x.shape, axes)
        y = (centred * centred).sum(axis=axes, keepdims=self.keepdims) / count
        return y, (centred, axes, count, y)

    def backward(self, xp, cache, dy):
        centred, axes, count, _ = cache
        return (spread(xp, dy, centred.shape, axes) * centred * (2.0 / count),)


@OPS.register
class Std(Var):
    """``y = √var(x)``; ``dx = dy · (x - m) / (n · y)``."""

    name = "std"

    def forward(self, xp, x):
        variance, cache = super().forward(xp, x)
        deviation = xp.sqrt(variance)
        return deviation, cache[:3] + (deviation,)

    def backward(self, xp, cache, dy):
        return super().backward(xp, cache, dy / (2.0 * cache[3]))


@OPS.register
class Logsumexp(Reduction):
    """``y = log Σ exp x``, computed as ``m + log Σ exp(x - m)`` (m the max) so nothing
    overflows; ``dx = dy · exp(x - y)`` (the softmax of ``x`` over the axes)."""

    name = "logsumexp"

    def forward(self, xp, x):
        x, axes = as_float(xp, x), self.axes(x)
        peak = x.max(axis=axes, keepdims=True)
        peak = xp.where(xp.isfinite(peak), peak, 0.0)
        y_keep = peak + xp.log(xp.exp(x - peak).sum(axis=axes, keepdims=True))
        return self.as_output(y_keep, axes), (x, y_keep, axes)

    def backward(self, xp, cache, dy):
        x, y_keep, axes = cache
        return (spread(xp, dy, x.shape, axes) * xp.exp(x - y_keep),)


@OPS.register
class Norm(Reduction):
    """A vector or matrix norm (Keras's ``ops.norm``, NumPy's ``linalg.norm``); ``|x|``'s slope
    at 0 counts as +1 (JAX), ties of a max/min share the gradient.

    Vector norms (``axis`` an int; None on a rank-1 ``x``):
        ``ord=None`` or 2: ``y = √Σ x²``, ``dx = dy · x / y`` (NaN at ``x = 0``, as JAX);
        ``inf`` / ``-inf``: ``y = max |x|`` / ``min |x|``, ``dx = dy · sign x`` at the extremes;
        other ``p ≠ 0``: ``y = (Σ |x|^p)^(1/p)``, ``dx = dy · sign x · |x|^(p-1) · y^(1-p)``.
    Matrix norms (``axis`` a pair ``(rows, cols)``; None on a rank-2 ``x``):
        ``ord=None`` or ``"fro"``: Frobenius ``√Σ x²``; ``1`` / ``-1``: the max / min over
        columns of ``Σ_rows |x|``; ``inf`` / ``-inf``: the max / min over rows of ``Σ_cols |x|``.
    ``axis=None`` with ``ord=None`` is the 2-norm of every element, at any rank.
    Not supported (refused by name): ``ord=0`` and the singular-value norms ``2``, ``-2``,
    ``"nuc"`` of matrices.
    """

    name = "norm"

    def __init__(self, ord=None, axis=None, keepdims=False):  # noqa: A002  (Keras's name)
        if isinstance(ord, str) and ord not in ("fro", "nuc"):
            raise InvalidArgumentError(f"ops.norm: expected ord 'fro', 'nuc', a number or None, "
                                       f"received {ord!r}")
        if ord == 0 and not isinstance(ord, str):
            raise InvalidArgumentError("ops.norm: ord=0 (the count of nonzeros) is not supported")
        super().__init__(axis, keepdims)
        self.ord = ord

    def get_config(self):
        return {"ord": self.ord, **super().get_config()}

    def layout(self, x):
        """``(axes, summed_axis)``: the reduced axes, and for the max/min matrix norms the
        axis summed before the max/min (else None)."""
        if self.axis is None and (self.ord is None or x.ndim not in (1, 2)):
            if self.ord is not None:
                raise InvalidArgumentError(f"ops.norm: ord={self.ord!r} needs axis for an array "
                                           f"of rank {x.ndim}")
            return tuple(range(x.ndim)), None
        axes = self.axes(x)
        if len(axes) == 1 and isinstance(self.ord, str):
            raise InvalidArgumentError(f"ops.norm: ord={self.ord!r} is a matrix norm; axis "
                                       f"{self.axis!r} gives vectors")
        if len(axes) == 1 or self.ord in (None, "fro"):
            return axes, None
        if len(axes) != 2 or self.ord not in (1, -1, float("inf"), float("-inf")):
            raise InvalidArgumentError(f"ops.norm: expected ord None, 'fro', 1, -1, inf or -inf "
                                       f"for a matrix norm over axis {self.axis!r}, received "
                                       f"{self.ord!r} (2, -2, 'nuc' are not supported)")
        return axes, axes[0] if self.ord in (1, -1) else axes[1]

    def forward(self, xp, x):
        x = as_float(xp, x)
        axes, summed_axis = self.layout(x)
        p, magnitude = self.ord, xp.abs(x)
        if summed_axis is not None:
            magnitude = magnitude.sum(axis=summed_axis, keepdims=True)
        if p in (None, 2, "fro"):
            y_keep = xp.sqrt((x * x).sum(axis=axes, keepdims=True))
        elif summed_axis is not None or p in (float("inf"), float("-inf")):
            y_keep = (xp.max if p > 0 else xp.min)(magnitude, axis=axes, keepdims=True)
        else:
            y_keep = ((magnitude ** p).sum(axis=axes, keepdims=True)) ** (1.0 / p)
        return self.as_output(y_keep, axes), (x, magnitude, y_keep, axes, summed_axis)

    def backward(self, xp, cache, dy):
        x, magnitude, y_keep, axes, summed_axis = cache
        p, sign = self.ord, xp.where(x >= 0, 1.0, -1.0)
        if p in (None, 2, "fro"):
            local = x / y_keep
        elif summed_axis is not None or p in (float("inf"), float("-inf")):
            hit = magnitude == y_keep
            local = sign * hit / hit.sum(axis=axes, keepdims=True)
        else:
            local = sign * magnitude ** (p - 1.0) * y_keep ** (1.0 - p)
        return (spread(xp, dy, x.shape, axes) * local,)


def var(x, axis=None, keepdims=False):
    """The (population) variance of ``x`` over ``axis``."""
    return Var(axis, keepdims)(x)


def std(x, axis=None, keepdims=False):
    """The (population) standard deviation of ``x`` over ``axis``."""
    return Std(axis, keepdims)(x)


def logsumexp(x, axis=None, keepdims=False):
    """``log(sum(exp(x)))`` over ``axis``, computed without overflow."""
    return Logsumexp(axis, keepdims)(x)


def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002  (Keras's name)
    """A vector or matrix norm of ``x`` (see ``Norm`` for the ``ord`` values)."""
    return Norm(ord, axis, keepdims)(x)
