"""``Mean`` and ``Sum`` of values (Keras's): ``update_state(values, sample_weight=None)``.

Values ``(N, ...)`` are first reduced per sample, as Keras does: with weights of rank k
the values' extra axes are reduced (mean, or sum for ``Sum``), multiplied by the
weights, then every axis after the first reduced; ``Mean`` divides the total by the sum
of the (per-sample) weights, or by N without weights (1 for a scalar).
"""
import numpy

from nnkit.errors import InvalidArgumentError
from nnkit.losses.base import squeeze_or_expand
from nnkit.metrics.base import Metric


def samplewise(values, sample_weight, reduce):
    """``(per-sample weighted values, per-sample weights or None)`` (Keras's rule)."""
    weights = None
    if sample_weight is not None:
        weights = numpy.asarray(sample_weight, dtype="float64")
        values, weights = squeeze_or_expand(values, weights)
        if values.ndim > weights.ndim:
            values = reduce(values, axis=tuple(range(weights.ndim, values.ndim)))
        try:
            weights = numpy.broadcast_to(weights, values.shape)
        except ValueError:
            raise InvalidArgumentError(f"sample_weight of shape {weights.shape} does not fit "
                                       f"values of shape {values.shape}") from None
        values = values * weights
        if weights.ndim > 1:
            weights = reduce(weights, axis=tuple(range(1, weights.ndim)))
    if values.ndim > 1:
        values = reduce(values, axis=tuple(range(1, values.ndim)))
    return values, weights


class _ValuesMetric(Metric):
    """Base class: a metric of plain values, not of ``(y_true, y_pred)``."""

    def update_state(self, values, sample_weight=None):
        raise NotImplementedError

    def accumulate(self, xp, y_true, y_pred, weights):
        raise InvalidArgumentError(f"metric '{self.name}' ({type(self).__name__}) takes values "
                                   f"(update_state(values, sample_weight)), not targets and "
                                   f"predictions: it cannot be a compile() metric")


class Mean(_ValuesMetric):
    """The weighted mean of all values seen."""

    name = "mean"
    state_names = ("total", "count")

    def update_state(self, values, sample_weight=None):
        values, weights = samplewise(numpy.asarray(values, dtype="float64"), sample_weight,
                                     numpy.mean)
        self.total += float(values.sum())
        self.count += float(weights.sum()) if weights is not None else (
            float(values.shape[0]) if values.ndim else 1.0)

    def result(self):
        return self.total / self.count if self.count else 0.0


class Sum(_ValuesMetric):
    """The weighted sum of all values seen."""

    name = "sum"
    state_names = ("total",)

    def update_state(self, values, sample_weight=None):
        values, _ = samplewise(numpy.asarray(values, dtype="float64"), sample_weight, numpy.sum)
        self.total += float(values.sum())

    def result(self):
        return self.total
