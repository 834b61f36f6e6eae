"""Reductions over axes: ``sum``, ``mean``, ``max``, ``prod``, ``std``, ``norm``, ``logsumexp``, ...

``axis`` is None (every axis), an int or a tuple of ints; ``keepdims=True`` keeps each
reduced axis with size 1. Shapes: ``x (N, T, D)`` reduced over ``axis=1`` gives ``(N, D)``, or
``(N, 1, D)`` with ``keepdims``. The backward of a reduction spreads ``dy`` back over the
reduced axes (``spread``) and multiplies by the partial derivative of the output with
respect to each element.

Ties follow JAX (Keras's JAX backend): ``max``/``min`` share the gradient equally between
the elements equal to the result. ``argmax``, ``argmin``, ``any`` and ``all`` take no gradient.
"""
import math

from nnkit.errors import InvalidArgumentError
from nnkit.ops.elementwise import as_float
from nnkit.ops.op import OPS, Op, normalize_axis

__all__ = ["sum", "mean", "max", "min", "prod", "std", "var", "norm", "logsumexp", "argmax",
           "argmin", "any", "all", "cumsum"]

_WIDER_SUM_DTYPES = {"bool": "int32", "int8": "int32", "int16": "int32", "uint8": "uint32",
                     "uint16": "uint32"}   # Keras (as JAX) sums small integers in 32 bits


class Reduction(Op):
    """An op that reduces ``x`` over ``axis``; subclasses write ``forward`` and ``backward``."""

    def __init__(self, axis=None, keepdims=False):
        self.axis = list(axis) if isinstance(axis, (tuple, list)) else axis
        self.keepdims = bool(keepdims)

    def get_config(self):
        return {"axis": self.axis, "keepdims": self.keepdims}

    def axes(self, x):
        """The reduced axes of ``x``, a tuple of non-negative ints."""
        axes = normalize_axis(self.axis, x.ndim, self.name)
        return tuple(range(x.ndim)) if axes is None else (axes,) if isinstance(axes, int) else axes

    def as_output(self, y_keep, axes):
        """``y_keep`` (reduced with ``keepdims``) as the op returns it."""
        return y_keep if self.keepdims else y_keep.reshape(
            tuple(size for axis, size in enumerate(y_keep.shape) if axis not in axes))


def count_of(shape, axes):
    """How many elements of an array of ``shape`` one output element reduces."""
    return math.prod(shape[axis] for axis in axes)


def spread(xp, dy, x_shape, axes):
    """``dy`` (the reduced shape) broadcast back to ``x_shape``."""
    keep_shape = tuple(1 if axis in axes else size for axis, size in enumerate(x_shape))
    return xp.broadcast_to(dy.reshape(keep_shape), x_shape)


@OPS.register
class Sum(Reduction):
    """``y = Σ x`` over the axes; ``dx = dy`` spread back. Bool and small ints sum in 32 bits."""

    name = "sum"

    def forward(self, xp, x):
        axes = self.axes(x)
        y = x.sum(axis=axes, keepdims=self.keepdims)
        return y.astype(_WIDER_SUM_DTYPES.get(x.dtype.name, x.dtype)), (x.shape, axes)

    def backward(self, xp, cache, dy):
        return (spread(xp, dy, *cache),)


@OPS.register
class Mean(Reduction):
    """``y = Σ x / n`` (n elements reduced; integers give float32, as Keras); ``dx = dy / n``."""

    name = "mean"

    def forward(self, xp, x):
        axes = self.axes(x)
        dtype = x.dtype if x.dtype.kind == "f" else "float32"
        return x.mean(axis=axes, keepdims=self.keepdims).astype(dtype), (x.shape, axes)

    def backward(self, xp, cache, dy):
        x_shape, axes = cache
        return (spread(xp, dy / count_of(x_shape, axes), x_shape, axes),)


class Extreme(Reduction):
    """``max`` or ``min`` (``pairwise``: ``maximum`` or ``minimum``), bounded by ``initial``
    when given: ``dx = dy / k`` at
    the k elements equal to the result, 0 elsewhere (JAX's rule for ties)."""

    def __init__(self, axis=None, keepdims=False, initial=None):
        super().__init__(axis, keepdims)
        self.initial = initial

    def get_config(self):
        return {**super().get_config(), "initial": self.initial}

    def forward(self, xp, x):
        axes = self.axes(x)
        y_keep = getattr(xp, self.name)(x, axis=axes, keepdims=True)
        if self.initial is not None:
            y_keep = getattr(xp, self.pairwise)(y_keep, xp.asarray(self.initial, x.dtype))
        return self.as_output(y_keep, axes), (x, y_keep, axes)

    def backward(self, xp, cache, dy):
        x, y_keep, axes = cache
        hit = x == y_keep
        share = hit / xp.maximum(hit.sum(axis=axes, keepdims=True), 1)
        return (spread(xp, dy, x.shape, axes) * share,)


@OPS.register
class Max(Extreme):
    """``y = max x`` over the axes (see ``Extreme`` for the gradient)."""

    name, pairwise = "max", "maximum"


@OPS.register
class Min(Extreme):
    """``y = min x`` over the axes (see ``Extreme`` for the gradient)."""

    name, pairwise = "min", "minimum"


@OPS.register
class Prod(Reduction):
    """``y = Π x`` over the axes; ``dx_k = dy · Π_{j≠k} x_j``, computed as the product of the
    elements before ``k`` times those after it, so zeros in ``x`` give exact gradients."""

    name = "prod"

    def __init__(self, axis=None, keepdims=False, dtype=None):
        super().__init__(axis, keepdims)
        self.dtype = dtype

    def get_config(self):
        return {**super().get_config(), "dtype": self.dtype}

    def forward(self, xp, x):
        axes = self.axes(x)
        dtype = self.dtype or _WIDER_SUM_DTYPES.get(x.dtype.name, x.dtype)
        return x.prod(axis=axes, keepdims=self.keepdims, dtype=dtype), (x, axes)

    def backward(self, xp, cache, dy):
        x, axes = cache
        last = tuple(range(x.ndim - len(axes), x.ndim))
        rows = xp.moveaxis(x, axes, last)
        moved_shape = rows.shape
        rows = rows.reshape(-1, count_of(x.shape, axes))
        ones = xp.ones((rows.shape[0], 1), rows.dtype)
        before = xp.cumprod(xp.concatenate([ones, rows[:, :-1]], axis=1), axis=1)
        after = xp.cumprod(xp.concatenate([ones, rows[:, :0:-1]], axis=1), axis=1)[:, ::-1]
        others = xp.moveaxis((before * after).reshape(moved_shape), last, axes)
        return (spread(xp, dy, x.shape, axes) * others,)


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


class Truth(Reduction):
    """``any`` or ``all`` over the axes: a bool array, no gradient."""

    differentiable = False

    def forward(self, xp, x):
        return getattr(xp, self.name)(x, axis=self.axes(x), keepdims=self.keepdims), None

    def backward(self, xp, cache, dy):
        return (None,)


@OPS.register
class Any(Truth):
    """Whether any element over the axes is true (nonzero)."""

    name = "any"


@OPS.register
class All(Truth):
    """Whether every element over the axes is true (nonzero)."""

    name = "all"


class ArgExtreme(Op):
    """``argmax`` or ``argmin`` over one ``axis`` (None: of the flattened array): int32
    indices, no gradient. As Keras, ``-0.0`` counts as smaller than ``0.0``."""

    differentiable = False

    def __init__(self, axis=None, keepdims=False):
        if axis is not None and (isinstance(axis, bool) or not isinstance(axis, int)):
            raise InvalidArgumentError(f"ops.{self.name}: expected an int or None for axis, "
                                       f"received {axis!r}")
        self.axis, self.keepdims = axis, bool(keepdims)

    def get_config(self):
        return {"axis": self.axis, "keepdims": self.keepdims}

    def forward(self, xp, x):
        axis = normalize_axis(self.axis, x.ndim, self.name)
        if x.dtype.kind == "f":
            x = xp.where((x == 0) & xp.signbit(x), -xp.finfo(x.dtype).tiny, x)
        index = getattr(xp, self.name)(x, axis=axis, keepdims=self.keepdims)
        return xp.asarray(index, dtype="int32"), None

    def backward(self, xp, cache, dy):
        return (None,)


@OPS.register
class Argmax(ArgExtreme):
    """The index of the largest element (the first among ties)."""

    name = "argmax"


@OPS.register
class Argmin(ArgExtreme):
    """The index of the smallest element (the first among ties)."""

    name = "argmin"


@OPS.register
class Cumsum(Op):
    """``y_i = Σ_{j≤i} x_j`` along ``axis`` (None: the flattened array); ``dx_j = Σ_{i≥j} dy_i``
    (the reverse cumulative sum)."""

    name = "cumsum"

    def __init__(self, axis=None, dtype=None):
        self.axis, self.dtype = axis, dtype

    def get_config(self):
        return {"axis": self.axis, "dtype": self.dtype}

    def forward(self, xp, x):
        axis = normalize_axis(self.axis, x.ndim, self.name)
        dtype = self.dtype or ("int32" if x.dtype == bool else x.dtype)
        rows = x.reshape(-1) if axis is None else x
        return xp.cumsum(rows, axis=0 if axis is None else axis, dtype=dtype), (x.shape, axis)

    def backward(self, xp, cache, dy):
        x_shape, axis = cache
        axis = 0 if axis is None else axis
        reverse = (slice(None),) * axis + (slice(None, None, -1),)
        return (xp.cumsum(dy[reverse], axis=axis)[reverse].reshape(x_shape),)


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


# ---- Keras's functions --------------------------------------------------------------------
def sum(x, axis=None, keepdims=False):  # noqa: A001  (Keras's name)
    """The sum of ``x`` over ``axis`` (None: every axis)."""
    return Sum(axis, keepdims)(x)


def mean(x, axis=None, keepdims=False):
    """The arithmetic mean of ``x`` over ``axis`` (None: every axis)."""
    return Mean(axis, keepdims)(x)


def max(x, axis=None, keepdims=False, initial=None):  # noqa: A001  (Keras's name)
    """The largest element of ``x`` over ``axis``, at least ``initial`` when given."""
    return Max(axis, keepdims, initial)(x)


def min(x, axis=None, keepdims=False, initial=None):  # noqa: A001  (Keras's name)
    """The smallest element of ``x`` over ``axis``, at most ``initial`` when given."""
    return Min(axis, keepdims, initial)(x)


def prod(x, axis=None, keepdims=False, dtype=None):
    """The product of the elements of ``x`` over ``axis``."""
    return Prod(axis, keepdims, dtype)(x)


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


def any(x, axis=None, keepdims=False):  # noqa: A001  (Keras's name)
    """Whether any element of ``x`` over ``axis`` is true."""
    return Any(axis, keepdims)(x)


def all(x, axis=None, keepdims=False):  # noqa: A001  (Keras's name)
    """Whether every element of ``x`` over ``axis`` is true."""
    return All(axis, keepdims)(x)


def argmax(x, axis=None, keepdims=False):
    """The int32 index of the largest element of ``x`` along ``axis``."""
    return Argmax(axis, keepdims)(x)


def argmin(x, axis=None, keepdims=False):
    """The int32 index of the smallest element of ``x`` along ``axis``."""
    return Argmin(axis, keepdims)(x)


def cumsum(x, axis=None, dtype=None):
    """The cumulative sum of ``x`` along ``axis`` (None: of the flattened array)."""
    return Cumsum(axis, dtype)(x)
