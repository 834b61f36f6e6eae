"""Keras's loss functions: ``f(y_true, y_pred, ...)`` → the per-sample losses (a host array).

Each is the matching class's per-sample value (``Loss.per_sample``) on NumPy arrays:
shape ``y_pred.shape`` without the class axis (Keras's rank alignment applied first).
"""
import numpy

from nnkit.losses.base import float_array
from nnkit.losses.crossentropy import (BinaryCrossentropy, CategoricalCrossentropy,
                                       SparseCategoricalCrossentropy)
from nnkit.losses.hinge import CategoricalHinge, Hinge, SquaredHinge
from nnkit.losses.probabilistic import KLDivergence, Poisson
from nnkit.losses.regression import (CosineSimilarity, Huber, LogCosh, MeanAbsoluteError,
                                     MeanAbsolutePercentageError, MeanSquaredError,
                                     MeanSquaredLogarithmicError)


def _values(loss, y_true, y_pred):
    return loss.per_sample(numpy, numpy.asarray(y_true), float_array(y_pred))[0]


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """``-Σ y log p`` over ``axis`` (see ``CategoricalCrossentropy``)."""
    return _values(CategoricalCrossentropy(from_logits, label_smoothing, axis), y_true, y_pred)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    """``-log p[y]`` for integer labels (see ``SparseCategoricalCrossentropy``)."""
    return _values(SparseCategoricalCrossentropy(from_logits, ignore_class, axis=axis),
                   y_true, y_pred)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Mean over ``axis`` of ``-(y log p + (1 - y) log(1 - p))``."""
    return _values(BinaryCrossentropy(from_logits, label_smoothing, axis), y_true, y_pred)


def mean_squared_error(y_true, y_pred):
    """Mean over the last axis of ``(p - y)²``."""
    return _values(MeanSquaredError(), y_true, y_pred)


def mean_absolute_error(y_true, y_pred):
    """Mean over the last axis of ``|p - y|``."""
    return _values(MeanAbsoluteError(), y_true, y_pred)


def mean_absolute_percentage_error(y_true, y_pred):
    """Mean over the last axis of ``100 |p - y| / max(|y|, ε)``."""
    return _values(MeanAbsolutePercentageError(), y_true, y_pred)


def mean_squared_logarithmic_error(y_true, y_pred):
    """Mean over the last axis of ``(log(max(p, ε) + 1) - log(max(y, ε) + 1))²``."""
    return _values(MeanSquaredLogarithmicError(), y_true, y_pred)


def huber(y_true, y_pred, delta=1.0):
    """Mean over the last axis of the Huber error (see ``Huber``)."""
    return _values(Huber(delta), y_true, y_pred)


def log_cosh(y_true, y_pred):
    """Mean over the last axis of ``log(cosh(p - y))``."""
    return _values(LogCosh(), y_true, y_pred)


def cosine_similarity(y_true, y_pred, axis=-1):
    """``-Σ ŷ·p̂`` over ``axis`` (the negative cosine similarity)."""
    return _values(CosineSimilarity(axis), y_true, y_pred)


def kl_divergence(y_true, y_pred):
    """``Σ y log(y / p)`` over the last axis, both clipped to ``[ε, 1]``."""
    return _values(KLDivergence(), y_true, y_pred)


def poisson(y_true, y_pred):
    """Mean over the last axis of ``p - y log(p + ε)``."""
    return _values(Poisson(), y_true, y_pred)


def hinge(y_true, y_pred):
    """Mean over the last axis of ``max(1 - y·p, 0)`` (0/1 targets mapped to -1/1)."""
    return _values(Hinge(), y_true, y_pred)


def squared_hinge(y_true, y_pred):
    """Mean over the last axis of ``max(1 - y·p, 0)²`` (0/1 targets mapped to -1/1)."""
    return _values(SquaredHinge(), y_true, y_pred)


def categorical_hinge(y_true, y_pred):
    """``max(max((1 - y)·p) - Σ y·p + 1, 0)`` over the last axis."""
    return _values(CategoricalHinge(), y_true, y_pred)


#: each function → the class computing it (``compile(loss=nnkit.losses.huber)``)
FUNCTION_CLASSES = {
    categorical_crossentropy: CategoricalCrossentropy,
    sparse_categorical_crossentropy: SparseCategoricalCrossentropy,
    binary_crossentropy: BinaryCrossentropy, mean_squared_error: MeanSquaredError,
    mean_absolute_error: MeanAbsoluteError,
    mean_absolute_percentage_error: MeanAbsolutePercentageError,
    mean_squared_logarithmic_error: MeanSquaredLogarithmicError, huber: Huber,
    log_cosh: LogCosh, cosine_similarity: CosineSimilarity, kl_divergence: KLDivergence,
    poisson: Poisson, hinge: Hinge, squared_hinge: SquaredHinge,
    categorical_hinge: CategoricalHinge}
