"""Metrics from confusion counts: Precision, Recall, F1Score (Keras's definitions)."""
import numpy

from nnkit.backend import get_backend
from nnkit.errors import InvalidArgumentError
from nnkit.metrics.base import Metric


def _weighted_sum(values, weights):
    """``Σ values`` (each entry's count weighted by its example's weight when given)."""
    if weights is None:
        return float(values.sum())
    return float((values * weights.reshape(weights.shape + (1,) * (values.ndim - weights.ndim))
                  ).sum())


class _ThresholdCounts(Metric):
    """True/false positives and false negatives over every entry of ``y_pred > threshold``."""

    state_names = ("true_positives", "false_positives", "false_negatives")

    def __init__(self, thresholds=None, name=None):
        if thresholds is not None and not isinstance(thresholds, (int, float)):
            raise InvalidArgumentError(f"metric '{name or self.name}': one threshold (a number) "
                                       f"is supported, received {thresholds!r}")
        self.thresholds = 0.5 if thresholds is None else float(thresholds)
        super().__init__(name)

    def accumulate(self, xp, y_true, y_pred, weights):
        truth = y_true.reshape(y_pred.shape) > 0.5
        predicted = y_pred > self.thresholds
        self.true_positives += _weighted_sum(truth & predicted, weights)
        self.false_positives += _weighted_sum(~truth & predicted, weights)
        self.false_negatives += _weighted_sum(truth & ~predicted, weights)

    def get_config(self):
        return {**super().get_config(), "thresholds": self.thresholds}


class Precision(_ThresholdCounts):
    """``tp / (tp + fp)`` with ``y_pred > thresholds`` (default 0.5), 0 when nothing is predicted."""

    name = "precision"

    def result(self):
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 0.0


class Recall(_ThresholdCounts):
    """``tp / (tp + fn)`` with ``y_pred > thresholds`` (default 0.5), 0 without positives."""

    name = "recall"

    def result(self):
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else 0.0


class F1Score(Metric):
    """Keras's ``F1Score``: per-class F1 of one-hot targets, averaged.

    Predictions become labels by ``y_pred > threshold``, or without a threshold by
    marking each row's largest entry (Keras's default). ``average``: "macro" (mean
    of the classes' F1), "micro" (F1 of the pooled counts) or "weighted" (by each
    class's support). nnkit returns a number, so ``average=None`` (one F1 per class)
    is refused.

    Shapes: y_true, y_pred ``(N, C)``.
    """

    name = "f1_score"
    state_names = ("true_positives", "false_positives", "false_negatives", "support")

    def __init__(self, average="macro", threshold=None, name=None):
        if average not in ("macro", "micro", "weighted"):
            raise InvalidArgumentError(f"metric 'f1_score': average must be 'macro', 'micro' or "
                                       f"'weighted', received {average!r}")
        self.average = average
        self.threshold = None if threshold is None else float(threshold)
        super().__init__(name)

    def accumulate(self, xp, y_true, y_pred, weights):
        if y_pred.ndim != 2 or tuple(y_true.shape) != tuple(y_pred.shape):
            raise InvalidArgumentError(f"metric 'f1_score': expected one-hot targets and "
                                       f"predictions (N, C) of one shape, received "
                                       f"{tuple(y_true.shape)} and {tuple(y_pred.shape)}")
        if self.threshold is None:          # each row's largest entry; an all-zero row: none
            predicted = (y_pred >= y_pred.max(axis=-1, keepdims=True)) & (abs(y_pred) > 1e-9)
        else:
            predicted = y_pred > self.threshold
        truth = y_true > 0.5
        w = 1.0 if weights is None else weights[:, None]
        counts = [((truth & predicted) * w).sum(axis=0), ((~truth & predicted) * w).sum(axis=0),
                  ((truth & ~predicted) * w).sum(axis=0), (truth * w).sum(axis=0)]
        backend = get_backend()
        for key, count in zip(self.state_names, counts):
            setattr(self, key, getattr(self, key) + numpy.asarray(backend.to_numpy(count),
                                                                   dtype="float64"))

    def result(self):
        tp, fp, fn, support = (self._array(key) for key in self.state_names)
        if self.average == "micro":
            tp, fp, fn = tp.sum(), fp.sum(), fn.sum()
        denominator = 2 * tp + fp + fn
        f1 = 2 * tp / (denominator + (denominator == 0))
        if self.average == "weighted":
            return float((f1 * support).sum() / max(support.sum(), 1e-12))
        return float(f1.mean())

    def _array(self, key):
        return numpy.asarray(getattr(self, key), dtype="float64")

    def get_config(self):
        return {**super().get_config(), "average": self.average, "threshold": self.threshold}

