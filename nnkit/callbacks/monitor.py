"""MonitorCallback: watching one logged quantity for improvement (Keras's base of
EarlyStopping, ModelCheckpoint and ReduceLROnPlateau)."""
import re
import warnings

from nnkit import validation
from nnkit.callbacks import arguments
from nnkit.callbacks.base import Callback
from nnkit.errors import InvalidArgumentError

#: metrics to maximise, by log name (Keras's metrics whose ``_direction`` is "up")
MAXIMISED = frozenset((
    "accuracy", "acc", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "auc", "precision",
    "recall", "f1_score", "fbeta_score", "iou", "mean_iou", "binary_iou", "one_hot_iou",
    "one_hot_mean_iou", "r2_score", "cosine_similarity", "pearson_correlation",
    "concordance_correlation", "precision_at_recall", "recall_at_precision",
    "sensitivity_at_specificity", "specificity_at_sensitivity"))
#: metrics to minimise, by log name (Keras's "down" metrics)
MINIMISED = frozenset((
    "mean_absolute_error", "mae", "mean_squared_error", "mse", "root_mean_squared_error",
    "rmse", "mean_absolute_percentage_error", "mape", "mean_squared_logarithmic_error",
    "msle", "log_cosh_error", "logcosh", "hinge", "squared_hinge", "categorical_hinge",
    "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
    "binary_focal_crossentropy", "categorical_focal_crossentropy", "kl_divergence", "poisson"))


class MonitorCallback(Callback):
    """Tracks the best value of ``monitor`` in the logs, as Keras's ``MonitorCallback``.

    ``mode="auto"`` is Keras 3's rule: a loss ("loss", "val_loss", "<output>_loss") is
    minimised; a metric is maximised or minimised as Keras's metric of that name is
    (accuracies, AUC, precision, recall, F1 up; errors and cross-entropies down; a compiled
    metric object's own ``_direction`` of "up"/"down" first); any other name is an error at
    the first epoch's end, as in Keras (pass ``mode="min"`` or ``"max"``).

    Args:
        monitor: log key, e.g. "val_loss".
        mode: "auto", "min" or "max".
        baseline: the starting best value (None: the first value seen is the best); a
            finite number.
        min_delta: smallest change that counts as an improvement, a finite number (its
            absolute value is used, as in Keras; NaN or infinity would make every epoch a
            non-improvement, so they are refused).

    Attributes:
        best: the best value so far (None before the first).
    """

    def __init__(self, monitor="val_loss", mode="auto", baseline=None, min_delta=0):
        super().__init__()
        owner = type(self).__name__
        self.monitor = arguments.log_key(owner, "monitor", monitor)
        self.mode = validation.one_of(owner, "mode", mode, ("auto", "min", "max"))
        self.best = validation.real(owner, "baseline", baseline, allow_none=True)
        self.min_delta = abs(validation.real(owner, "min_delta", min_delta))
        self.direction = None if mode == "auto" else mode

    def _resolve_direction(self):
        """Keras's ``_set_monitor_op``: settle ``direction`` ("min"/"max") before comparing."""
        if self.direction is not None:
            return
        name = self.monitor[4:] if self.monitor.startswith("val_") else self.monitor
        if name == "loss" or name.endswith("_loss"):
            self.direction = "min"
            return
        name = re.sub(r"_\d+$", "", name)          # "auc_1": a second metric of one name
        known = self._compiled_directions() + _KNOWN_DIRECTIONS
        for matches in (name.__eq__, lambda metric: name.endswith("_" + metric)):  # "out_acc"
            direction = next((d for metric, d in known if matches(metric)), None)
            if direction is not None:
                self.direction = direction
                return
        raise InvalidArgumentError(
            f"{type(self).__name__} callback received monitor={self.monitor!r}, but nnkit (as "
            f"Keras) cannot tell whether that metric should be maximized or minimized: pass "
            f"mode='max' to monitor the highest value, or mode='min' for the lowest")

    def _compiled_directions(self):
        """``(name, "min"|"max")`` of the model's compiled metric objects that say theirs."""
        found = []
        for names in getattr(self.model, "output_metric_names", None) or []:
            for metric in names:
                direction = getattr(metric, "_direction", None)
                if isinstance(getattr(metric, "name", None), str) and direction in ("up", "down"):
                    found.append((metric.name, "max" if direction == "up" else "min"))
        return found

    def _is_improvement(self, value, reference):
        """Whether ``value`` beats ``reference`` (None: anything does) by more than min_delta."""
        if reference is None:
            return True
        if self.direction == "min":
            return value + self.min_delta < reference
        return value - self.min_delta > reference

    def _current(self, logs, what):
        """The monitored value in ``logs``, or None with Keras's warning when it is absent."""
        value = (logs or {}).get(self.monitor)
        if value is None:
            warnings.warn(f"{what} conditioned on metric `{self.monitor}` which is not "
                          f"available. Available metrics are: {','.join(logs or {})}",
                          stacklevel=3)
            return None
        return float(value)


_KNOWN_DIRECTIONS = ([(name, "max") for name in sorted(MAXIMISED)] +
                     [(name, "min") for name in sorted(MINIMISED)])
