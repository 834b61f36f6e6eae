"""Regression losses: mostly the mean over the last axis of an element-wise error.

``ElementwiseMean`` holds the shared part: ``l = mean_c f(p_c, y_c)`` and
``∂l/∂p_c = f'(p_c, y_c) / C``; each loss gives ``f`` (``elementwise``) and ``f'``
(``elementwise_grad``). ``ε`` is Keras's epsilon (1e-7).
"""
import math

from nnkit.losses.base import EPSILON, Loss


class ElementwiseMean(Loss):
    """Base class: the mean over the last axis of ``elementwise(p, y)``."""

    def elementwise(self, xp, p, y):
        raise NotImplementedError

    def elementwise_grad(self, xp, p, y):
        raise NotImplementedError

    def per_entry(self, xp, y_pred, y_true):
        return self.elementwise(xp, y_pred, y_true).mean(axis=-1)

    def per_entry_grad(self, xp, y_pred, y_true):
        return self.elementwise_grad(xp, y_pred, y_true) / y_pred.shape[-1]


class MeanSquaredError(ElementwiseMean):
    """``(p - y)²``."""

    name = "mean_squared_error"

    def elementwise(self, xp, p, y):
        return (p - y) ** 2

    def elementwise_grad(self, xp, p, y):
        return 2.0 * (p - y)


class MeanAbsoluteError(ElementwiseMean):
    """``|p - y|`` (gradient ``sign(p - y)``, 0 where equal)."""

    name = "mean_absolute_error"

    def elementwise(self, xp, p, y):
        return abs(p - y)

    def elementwise_grad(self, xp, p, y):
        return xp.sign(p - y)


class MeanAbsolutePercentageError(ElementwiseMean):
    """``100 |p - y| / max(|y|, ε)``."""

    name = "mean_absolute_percentage_error"

    def elementwise(self, xp, p, y):
        return 100.0 * abs(p - y) / xp.maximum(abs(y), EPSILON)

    def elementwise_grad(self, xp, p, y):
        return 100.0 * xp.sign(p - y) / xp.maximum(abs(y), EPSILON)


class MeanSquaredLogarithmicError(ElementwiseMean):
    """``(log(max(p, ε) + 1) - log(max(y, ε) + 1))²``."""

    name = "mean_squared_logarithmic_error"

    def elementwise(self, xp, p, y):
        return (xp.log(xp.maximum(p, EPSILON) + 1.0) - xp.log(xp.maximum(y, EPSILON) + 1.0)) ** 2

    def elementwise_grad(self, xp, p, y):
        shifted = xp.maximum(p, EPSILON) + 1.0
        difference = xp.log(shifted) - xp.log(xp.maximum(y, EPSILON) + 1.0)
        return 2.0 * difference / shifted * (p > EPSILON)


class Huber(ElementwiseMean):
    """``½e²`` where ``|e| ≤ δ``, else ``δ|e| - ½δ²`` (``e = p - y``, δ = ``delta``)."""

    name = "huber_loss"

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name=None, dtype=None):
        super().__init__(reduction, name, dtype)
        self.delta = float(delta)

    def elementwise(self, xp, p, y):
        error = p - y
        quadratic = abs(error) <= self.delta
        return xp.where(quadratic, 0.5 * error ** 2,
                        self.delta * abs(error) - 0.5 * self.delta ** 2)

    def elementwise_grad(self, xp, p, y):
        return xp.clip(p - y, -self.delta, self.delta)

    def get_config(self):
        return {**super().get_config(), "delta": self.delta}


class LogCosh(ElementwiseMean):
    """``log(cosh(e))``, computed as ``|e| + log(1 + e^(-2|e|)) - log 2`` (no overflow);
    gradient ``tanh(e)``."""

    name = "log_cosh"

    def elementwise(self, xp, p, y):
        error = abs(p - y)
        return error + xp.log1p(xp.exp(-2.0 * error)) - math.log(2.0)

    def elementwise_grad(self, xp, p, y):
        return xp.tanh(p - y)


class CosineSimilarity(Loss):
    """``-Σ ŷ·p̂`` over the last axis, ``x̂ = x / max(‖x‖, ε)``: -1 for parallel vectors,
    0 when orthogonal or when either is zero (Keras's sign: a loss to minimise)."""

    name = "cosine_similarity"

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name=None, dtype=None):
        super().__init__(reduction, name, dtype)
        self.axis = int(axis)

    @staticmethod
    def _norm(xp, x):
        return xp.maximum(xp.sqrt((x * x).sum(axis=-1, keepdims=True)), EPSILON)

    def per_entry(self, xp, y_pred, y_true):
        return -(y_true / self._norm(xp, y_true) * y_pred / self._norm(xp, y_pred)).sum(axis=-1)

    def per_entry_grad(self, xp, y_pred, y_true):
        # ∂(-ŷ·p/n)/∂p = -(ŷ - (ŷ·p̂) p̂) / n with n = ‖p‖, or -ŷ / ε where ‖p‖ ≤ ε
        target = y_true / self._norm(xp, y_true)
        norm = self._norm(xp, y_pred)
        unit = y_pred / norm
        radial = (target * unit).sum(axis=-1, keepdims=True) * unit * (norm > EPSILON)
        return -(target - radial) / norm

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
