"""``softmax``, ``log_softmax``, ``one_hot`` and ``normalize`` (Keras's ``keras.ops.nn``).

Softmax and log-softmax subtract the maximum, so no exponential overflows;
``log_softmax_forward``/``log_softmax_backward`` and ``one_hot_mask`` also serve the
cross-entropies (``nnkit.ops.nn_losses``).
"""
from nnkit.backend import standardize_dtype
from nnkit.config import epsilon as default_epsilon
from nnkit.errors import InvalidArgumentError
from nnkit.ops.op import OPS, Op, normalize_axis

__all__ = ["softmax", "log_softmax", "one_hot", "normalize"]


def log_softmax_forward(xp, x, axis):
    """log softmax(x) along ``axis``, the maximum subtracted first (nothing overflows)."""
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))


def log_softmax_backward(xp, log_y, d_log_y, axis):
    """dx = g - softmax(x)·Σg for g = d log_softmax(x) (Σ over ``axis``)."""
    return d_log_y - xp.exp(log_y) * d_log_y.sum(axis=axis, keepdims=True)


class _AlongAxis(Op):
    """Base of ops along ``axis`` (an int, a tuple of ints or None for all axes)."""

    def __init__(self, axis=-1):
        self.axis = axis

    def get_config(self):
        return {"axis": self.axis}

    def _axis(self, x):
        return normalize_axis(self.axis, x.ndim, self.name)


@OPS.register
class Softmax(_AlongAxis):
    """y = eˣ / Σ eˣ along ``axis`` (max subtracted); dx = y(dy - Σ dy·y)."""

    name = "softmax"

    def forward(self, xp, x):
        axis = self._axis(x)
        y = xp.exp(x - x.max(axis=axis, keepdims=True))
        y /= y.sum(axis=axis, keepdims=True)
        return y, (axis, y)

    def backward(self, xp, cache, dy):
        axis, y = cache
        return (y * (dy - (dy * y).sum(axis=axis, keepdims=True)),)


@OPS.register
class LogSoftmax(_AlongAxis):
    """y = x - log Σ eˣ along ``axis``; dx = dy - softmax(x)·Σ dy."""

    name = "log_softmax"

    def forward(self, xp, x):
        axis = self._axis(x)
        y = log_softmax_forward(xp, x, axis)
        return y, (axis, y)

    def backward(self, xp, cache, dy):
        axis, y = cache
        return (log_softmax_backward(xp, y, dy, axis),)


def softmax(x, axis=-1):
    return Softmax(axis)(x)


def log_softmax(x, axis=-1):
    return LogSoftmax(axis)(x)


def one_hot_mask(xp, indices, num_classes, axis):
    """``indices`` (any shape, ints or integral floats) → bool, a new axis of ``num_classes``
    at ``axis``; an index outside ``[0, num_classes)`` gives a row of False."""
    hot = indices[..., None] == xp.arange(num_classes)
    return hot if axis in (-1, hot.ndim - 1) else xp.moveaxis(hot, -1, axis)


@OPS.register
class OneHot(Op):
    """x (...) of class indices → (..., num_classes) with the new axis at ``axis``; no
    gradient. ``num_classes`` None or 0: max(x) + 1."""

    name = "one_hot"
    differentiable = False

    def __init__(self, num_classes, axis=-1, dtype=None, sparse=False):
        if sparse:
            raise InvalidArgumentError("ops.one_hot: sparse=True is not supported: nnkit's "
                                       "arrays are dense")
        self.num_classes, self.axis, self.sparse = num_classes, axis, sparse
        self.dtype = standardize_dtype(dtype)

    def get_config(self):
        return {"num_classes": self.num_classes, "axis": self.axis, "dtype": self.dtype,
                "sparse": self.sparse}

    def forward(self, xp, x):
        num_classes = self.num_classes or int(x.max()) + 1
        axis = normalize_axis(self.axis, x.ndim + 1, self.name)
        return one_hot_mask(xp, x, num_classes, axis).astype(self.dtype), None


def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    return OneHot(num_classes, axis, dtype, sparse)(x)


@OPS.register
class Normalize(_AlongAxis):
    """y = x / max(‖x‖ₚ, ε) along ``axis`` (p = ``order``, ε = ``epsilon`` or
    ``config.epsilon()``); a scalar x is treated as shape (1,), as Keras does.
    dx = dy/d - [‖x‖ > ε]·(Σ dy·x)/d² · sign(x)|x|^(p-1)/‖x‖^(p-1), d = max(‖x‖, ε)."""

    name = "normalize"

    def __init__(self, axis=-1, order=2, epsilon=None):
        if isinstance(order, bool) or not isinstance(order, int) or order < 1:
            raise InvalidArgumentError(f"ops.normalize: order must be an int >= 1, received "
                                       f"{order!r}")
        super().__init__(axis)
        self.order, self.epsilon = order, epsilon

    def get_config(self):
        return {"axis": self.axis, "order": self.order, "epsilon": self.epsilon}

    def forward(self, xp, x):
        shape, x = x.shape, (x.reshape(-1) if x.ndim == 0 else x)
        axis, p = self._axis(x), self.order
        eps = default_epsilon() if self.epsilon is None else self.epsilon
        norm = (xp.abs(x) ** p).sum(axis=axis, keepdims=True) ** (1 / p)
        denominator = xp.maximum(norm, eps)
        return x / denominator, (x, shape, axis, norm, denominator, eps)

    def backward(self, xp, cache, dy):
        x, shape, axis, norm, denominator, eps = cache
        p, safe_norm = self.order, xp.maximum(norm, eps)
        d_norm = -(dy * x).sum(axis=axis, keepdims=True) / safe_norm ** 2
        d_norm = xp.where(norm > eps, d_norm, 0)
        dx = dy / denominator + d_norm * xp.sign(x) * (xp.abs(x) / safe_norm) ** (p - 1)
        return (dx.reshape(shape),)


def normalize(x, axis=-1, order=2, epsilon=None):
    return Normalize(axis, order, epsilon)(x)
