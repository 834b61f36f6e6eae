"""Regression metrics: mean absolute error, mean squared error and its root."""
import math

from nnkit.metrics.base import MeanMetric


class MeanAbsoluteError(MeanMetric):
    """Weighted mean over entries of the mean over the last axis of ``|y_pred − y_true|``."""

    name = "mean_absolute_error"

    def values(self, xp, y_true, y_pred):
        return abs(y_pred - y_true.reshape(y_pred.shape)).mean(axis=-1)


class MeanSquaredError(MeanMetric):
    """Weighted mean over entries of the mean over the last axis of ``(y_pred − y_true)²``."""

    name = "mean_squared_error"

    def values(self, xp, y_true, y_pred):
        return ((y_pred - y_true.reshape(y_pred.shape)) ** 2).mean(axis=-1)


class RootMeanSquaredError(MeanSquaredError):
    """``√`` of ``MeanSquaredError``'s accumulated mean."""

    name = "root_mean_squared_error"

    def result(self):
        return math.sqrt(super().result())
