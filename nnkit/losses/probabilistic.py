"""Losses between distributions: Kullback-Leibler divergence and Poisson (Keras's ε = 1e-7)."""
from nnkit.losses.base import EPSILON, Loss
from nnkit.losses.regression import ElementwiseMean


class KLDivergence(Loss):
    """``Σ y log(y / p)`` over the last axis, ``y`` and ``p`` clipped to ``[ε, 1]``."""

    name = "kl_divergence"

    def per_entry(self, xp, y_pred, y_true):
        y, p = xp.clip(y_true, EPSILON, 1.0), xp.clip(y_pred, EPSILON, 1.0)
        return (y * xp.log(y / p)).sum(axis=-1)

    def per_entry_grad(self, xp, y_pred, y_true):
        inside = (y_pred >= EPSILON) & (y_pred <= 1.0)
        return -xp.clip(y_true, EPSILON, 1.0) / xp.clip(y_pred, EPSILON, 1.0) * inside


class Poisson(ElementwiseMean):
    """``p - y log(p + ε)`` (Keras's Poisson loss, up to a constant in ``y``)."""

    name = "poisson"

    def elementwise(self, xp, p, y):
        return p - y * xp.log(p + EPSILON)

    def elementwise_grad(self, xp, p, y):
        return 1.0 - y / (p + EPSILON)
