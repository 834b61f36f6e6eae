"""The cross-entropies (Keras's ``keras.ops.nn``): ``binary_crossentropy``,
``categorical_crossentropy`` and ``sparse_categorical_crossentropy``.

From probabilities they clip to [ε, 1 - ε] as Keras. The binary cross-entropy from logits is
the stable ``max(z, 0) - z·t + log1p(exp(-|z|))`` (as Keras's TensorFlow and JAX backends;
its NumPy backend clips ``sigmoid(z)`` to [ε, 1 - ε] instead, which agrees for
|z| < -log ε ≈ 16); the categorical ones from logits use the log-softmax.
"""
from nnkit.config import epsilon as default_epsilon
from nnkit.errors import ShapeError
from nnkit.ops.nn_softmax import log_softmax_backward, log_softmax_forward, one_hot_mask
from nnkit.ops.op import OPS, Op, normalize_axis
from nnkit.ops.special_functions import logistic

__all__ = ["binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy"]


def _log_probabilities(xp, output, axis, from_logits):
    """log p along ``axis``: log_softmax(output) from logits, else Keras's
    log clip(output / Σ output, ε, 1 - ε); and what the backward needs."""
    if from_logits:
        log_p = log_softmax_forward(xp, output, axis)
        return log_p, log_p
    total = output.sum(axis=axis, keepdims=True)
    p = output / total
    eps = default_epsilon()
    clipped = xp.clip(p, eps, 1 - eps)
    return xp.log(clipped), (p, clipped, total, eps)


def _log_probabilities_backward(xp, cache, d_log_p, axis, from_logits):
    if from_logits:
        return log_softmax_backward(xp, cache, d_log_p, axis)
    p, clipped, total, eps = cache
    d_p = xp.where((p > eps) & (p < 1 - eps), d_log_p / clipped, 0)
    return (d_p - (d_p * p).sum(axis=axis, keepdims=True)) / total


class _Crossentropy(Op):
    """Base: attributes ``from_logits`` and ``axis`` (the class axis)."""

    def __init__(self, from_logits=False, axis=-1):
        self.from_logits, self.axis = from_logits, axis

    def get_config(self):
        return {"from_logits": self.from_logits, "axis": self.axis}

    def _shape_error(self, target, output, expected):
        return ShapeError(f"ops.{self.name}: expected target of shape {expected} for output of "
                          f"shape {output.shape}, received {target.shape}")


@OPS.register
class CategoricalCrossentropy(_Crossentropy):
    """-Σ_axis target·log p, target and output (..., C, ...) → (...); dtarget = -log p·dy,
    doutput through log p (``_log_probabilities``)."""

    name = "categorical_crossentropy"

    def forward(self, xp, target, output):
        if target.shape != output.shape or output.ndim < 1:
            raise self._shape_error(target, output, output.shape)
        axis = normalize_axis(self.axis, output.ndim, self.name)
        log_p, cache = _log_probabilities(xp, output, axis, self.from_logits)
        return -(target * log_p).sum(axis=axis), (target, log_p, cache, axis)

    def backward(self, xp, cache, dy):
        target, log_p, cache, axis = cache
        dy = xp.expand_dims(dy, axis)
        d_output = _log_probabilities_backward(xp, cache, -target * dy, axis, self.from_logits)
        return -log_p * dy, d_output


@OPS.register
class SparseCategoricalCrossentropy(_Crossentropy):
    """-log p[target] along ``axis``: target (...) (or (..., 1)) class indices, output
    (..., C) → (...); an index outside [0, C) gives 0. No gradient for target."""

    name = "sparse_categorical_crossentropy"

    def forward(self, xp, target, output):
        axis = normalize_axis(self.axis, max(output.ndim, 1), self.name)
        if target.ndim == output.ndim and target.shape[-1:] == (1,):
            target = target[..., 0]
        expected = output.shape[:axis] + output.shape[axis + 1:]
        if output.ndim < 1 or target.shape != expected:
            raise self._shape_error(target, output, expected)
        hot = one_hot_mask(xp, target, output.shape[axis], axis)
        log_p, cache = _log_probabilities(xp, output, axis, self.from_logits)
        return -(hot * log_p).sum(axis=axis), (hot, cache, axis)

    def backward(self, xp, cache, dy):
        hot, cache, axis = cache
        d_log_p = -(hot * xp.expand_dims(dy, axis))
        return None, _log_probabilities_backward(xp, cache, d_log_p, axis, self.from_logits)


@OPS.register
class BinaryCrossentropy(Op):
    """-(t·log p + (1 - t)·log(1 - p)) element-wise, target and output of one shape.
    From logits z (stable): max(z, 0) - z·t + log1p(e^-|z|); dz = (σ(z) - t)·dy, dt = -z·dy.
    From p: clipped to [ε, 1 - ε]; dp = (1 - t)/(1 - p) - t/p inside, dt = log((1 - p)/p)."""

    name = "binary_crossentropy"

    def __init__(self, from_logits=False):
        self.from_logits = from_logits

    def get_config(self):
        return {"from_logits": self.from_logits}

    def forward(self, xp, target, output):
        if target.shape != output.shape:
            raise ShapeError(f"ops.{self.name}: target and output must have the same shape, "
                             f"received {target.shape} and {output.shape}")
        if self.from_logits:
            z = output
            return xp.maximum(z, 0) - z * target + xp.log1p(xp.exp(-xp.abs(z))), (target, z)
        eps = default_epsilon()
        p = xp.clip(output, eps, 1 - eps)
        loss = -(target * xp.log(p) + (1 - target) * xp.log(1 - p))
        return loss, (target, output, p, eps)

    def backward(self, xp, cache, dy):
        if self.from_logits:
            target, z = cache
            return -z * dy, (logistic(xp, z) - target) * dy
        target, output, p, eps = cache
        inside = (output > eps) & (output < 1 - eps)
        d_output = xp.where(inside, (1 - target) / (1 - p) - target / p, 0) * dy
        return (xp.log(1 - p) - xp.log(p)) * dy, d_output


def binary_crossentropy(target, output, from_logits=False):
    return BinaryCrossentropy(from_logits)(target, output)


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    return CategoricalCrossentropy(from_logits, axis)(target, output)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    return SparseCategoricalCrossentropy(from_logits, axis)(target, output)
