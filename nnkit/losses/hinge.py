"""Hinge losses (SVM margins).

Targets of ``Hinge`` and ``SquaredHinge`` are -1 or 1; when every target is 0 or 1
they are mapped to ``2y - 1`` first (Keras's rule, decided over the whole array).
"""
from nnkit.losses.base import Loss
from nnkit.losses.regression import ElementwiseMean


def _signed(xp, y):
    """``2y - 1`` when every target is 0 or 1, else the targets unchanged."""
    return 2.0 * y - 1.0 if bool(((y == 0) | (y == 1)).all()) else y


class Hinge(ElementwiseMean):
    """``max(1 - y·p, 0)``."""

    name = "hinge"

    def elementwise(self, xp, p, y):
        return xp.maximum(1.0 - _signed(xp, y) * p, 0.0)

    def elementwise_grad(self, xp, p, y):
        y = _signed(xp, y)
        return -y * (1.0 - y * p > 0)


class SquaredHinge(ElementwiseMean):
    """``max(1 - y·p, 0)²``."""

    name = "squared_hinge"

    def elementwise(self, xp, p, y):
        return xp.maximum(1.0 - _signed(xp, y) * p, 0.0) ** 2

    def elementwise_grad(self, xp, p, y):
        y = _signed(xp, y)
        return -2.0 * y * xp.maximum(1.0 - y * p, 0.0)


class CategoricalHinge(Loss):
    """``max(neg - pos + 1, 0)`` with ``pos = Σ y·p``, ``neg = max((1 - y)·p)``
    (one-hot targets ``(N, ..., C)``; the gradient takes the first largest ``neg``)."""

    name = "categorical_hinge"

    def per_entry(self, xp, y_pred, y_true):
        margin = ((1.0 - y_true) * y_pred).max(axis=-1) - (y_true * y_pred).sum(axis=-1) + 1.0
        return xp.maximum(margin, 0.0)

    def per_entry_grad(self, xp, y_pred, y_true):
        others = (1.0 - y_true) * y_pred
        active = self.per_entry(xp, y_pred, y_true)[..., None] > 0
        largest = others.argmax(axis=-1)[..., None] == xp.arange(y_pred.shape[-1])
        return ((1.0 - y_true) * largest - y_true) * active
