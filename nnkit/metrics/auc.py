"""AUC: the area under the ROC or precision-recall curve, by Keras's threshold method."""
import numpy

from nnkit.backend import get_backend
from nnkit.errors import InvalidArgumentError
from nnkit.metrics.base import Metric

EPSILON = 1e-7


class AUC(Metric):
    """Keras's ``AUC``: confusion counts at ``num_thresholds`` fixed thresholds, summed over
    batches (so the state merges exactly), and the curve's area from them.

    Thresholds: ``−ε``, ``i / (n − 1)`` for ``i = 1 … n − 2``, ``1 + ε``; an entry is
    predicted positive at threshold t when ``y_pred > t``. ROC: the trapezoids of
    (false-positive rate, recall); PR with "interpolation": Davis & Goadrich's
    interpolation between thresholds (Keras's ``interpolate_pr_auc``); "minoring" /
    "majoring" take the lower / upper rectangle.

    Args:
        num_thresholds: n > 1 (default 200).
        curve: "ROC" or "PR".
        summation_method: "interpolation", "minoring" or "majoring".

    Shapes: y_true of 0/1 and y_pred in [0, 1] of one shape (every entry counts).
    """

    name = "auc"
    state_names = ("true_positives", "false_positives", "true_negatives", "false_negatives")

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None):
        if isinstance(num_thresholds, bool) or not isinstance(num_thresholds, int) or \
                num_thresholds < 2:
            raise InvalidArgumentError(f"metric 'auc': num_thresholds must be an integer > 1, "
                                       f"received {num_thresholds!r}")
        if curve not in ("ROC", "PR"):
            raise InvalidArgumentError(f"metric 'auc': curve must be 'ROC' or 'PR', received "
                                       f"{curve!r}")
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise InvalidArgumentError(f"metric 'auc': summation_method must be 'interpolation', "
                                       f"'minoring' or 'majoring', received {summation_method!r}")
        self.num_thresholds, self.curve = num_thresholds, curve
        self.summation_method = summation_method
        inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        self.thresholds = numpy.array([-EPSILON] + inner + [1.0 + EPSILON])
        super().__init__(name)

    def reset_state(self):
        for key in self.state_names:
            setattr(self, key, numpy.zeros(self.num_thresholds))

    def set_state(self, state):
        super().set_state(state)
        for key in self.state_names:
            if getattr(self, key).shape != (self.num_thresholds,):
                raise InvalidArgumentError(f"metric 'auc': saved {key} does not have "
                                           f"{self.num_thresholds} thresholds")

    def accumulate(self, xp, y_true, y_pred, weights):
        truth = (y_true.reshape(y_pred.shape) > 0.5).reshape(-1)
        scores = y_pred.reshape(-1)
        w = xp.ones(scores.shape, "float64") if weights is None else xp.broadcast_to(
            weights.reshape(weights.shape + (1,) * (y_pred.ndim - weights.ndim)),
            y_pred.shape).reshape(-1).astype("float64")
        thresholds = get_backend().asarray(self.thresholds)
        # a weighted histogram of the scores over the thresholds, then cumulative counts:
        # positives above threshold t = Σ of the weights of entries with score > t
        bucket = xp.searchsorted(thresholds, scores, side="left")    # thresholds[b-1] < s
        counts = {}
        for name, selected in (("pos", truth), ("neg", ~truth)):
            hist = xp.bincount(bucket, weights=w * selected, minlength=self.num_thresholds + 1)
            above = xp.cumsum(hist[::-1])[::-1]                  # above[b] = Σ hist[b:]
            counts[name] = get_backend().to_numpy(above[1:]).astype("float64"), float(hist.sum())
        (tp, positives), (fp, negatives) = counts["pos"], counts["neg"]
        self.true_positives = self.true_positives + tp
        self.false_positives = self.false_positives + fp
        self.false_negatives = self.false_negatives + (positives - tp)
        self.true_negatives = self.true_negatives + (negatives - fp)

    def result(self):
        tp, fp, tn, fn = (self.true_positives, self.false_positives, self.true_negatives,
                          self.false_negatives)
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolated_pr(tp, fp, fn)
        recall = _divide(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _divide(fp, fp + tn), recall
        else:
            x, y = recall, _divide(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2
        elif self.summation_method == "minoring":
            heights = numpy.minimum(y[:-1], y[1:])
        else:
            heights = numpy.maximum(y[:-1], y[1:])
        return float(((x[:-1] - x[1:]) * heights).sum())

    @staticmethod
    def _interpolated_pr(tp, fp, fn):
        """Davis & Goadrich (2006): precision interpolated between thresholds (as Keras)."""
        d_tp = tp[:-1] - tp[1:]
        predicted = tp + fp
        d_predicted = predicted[:-1] - predicted[1:]
        slope = _divide(d_tp, numpy.maximum(d_predicted, 0))
        intercept = tp[1:] - slope * predicted[1:]
        both = (predicted[:-1] > 0) & (predicted[1:] > 0)
        ratio = numpy.where(both, _divide(predicted[:-1], numpy.maximum(predicted[1:], 0)), 1.0)
        increments = _divide(slope * (d_tp + intercept * numpy.log(ratio)),
                             numpy.maximum(tp[1:] + fn[1:], 0))
        return float(increments.sum())

    def get_config(self):
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                "curve": self.curve, "summation_method": self.summation_method}


def _divide(a, b):
    """``a / b`` with 0 where ``b`` is 0 (Keras's ``divide_no_nan``)."""
    a, b = numpy.asarray(a, dtype="float64"), numpy.asarray(b, dtype="float64")
    return numpy.divide(a, b, out=numpy.zeros(numpy.broadcast(a, b).shape), where=b != 0)
