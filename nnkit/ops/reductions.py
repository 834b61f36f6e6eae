"""Reductions over axes: ``sum``, ``mean``, ``max``, ``min``, ``prod``, ``any`` and ``all``.

``axis`` is None (every axis), an int or a tuple of ints; ``keepdims=True`` keeps each
reduced axis with size 1. Shapes: ``x (N, T, D)`` reduced over ``axis=1`` gives ``(N, D)``, or
``(N, 1, D)`` with ``keepdims``. The backward of a reduction spreads ``dy`` back over the
reduced axes (``spread``) and multiplies by the partial derivative of the output with
respect to each element. ``var``, ``std``, ``logsumexp`` and ``norm`` are in
``nnkit.ops.norms``, ``argmax``/``argmin`` in ``nnkit.ops.arg_reductions``, ``cumsum``
in ``nnkit.ops.cumulative``.

Ties follow JAX (Keras's JAX backend): ``max``/``min`` share the gradient equally between
the elements equal to the result. ``any`` and ``all`` take no gradient.
"""
import math

from nnkit.ops.op import OPS, Op, normalize_axis

__all__ = ["sum", "mean", "max", "min", "prod", "any", "all"]

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


def any(x, axis=None, keepdims=False):  # noqa: A001  (Keras's name)
    """Whether any element of ``x`` over ``axis`` is true."""
    return Any(axis, keepdims)(x)


def all(x, axis=None, keepdims=False):  # noqa: A001  (Keras's name)
    """Whether every element of ``x`` over ``axis`` is true."""
    return All(axis, keepdims)(x)
