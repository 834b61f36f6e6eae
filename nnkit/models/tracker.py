"""Running loss and metrics over the batches of one pass (an epoch, an evaluation)."""
import math

from nnkit import metrics as metrics_module
from nnkit.backend import get_backend


class BatchLoss:
    """What one forward pass's loss leaves for the tracker.

    Attributes:
        outputs: per output ``(loss value, output, y, weights, normaliser)``.
        penalty: the regularisers' penalty (part of the logged loss).
    """

    def __init__(self, outputs, penalty):
        self.outputs, self.penalty = outputs, penalty


class OutputTracker:
    """Running loss and metrics of one output over the batches of one pass."""

    def __init__(self, loss, metric_names):
        self.metrics = [metrics_module.get(name, loss) for name in metric_names]
        seen = {}
        for metric in self.metrics:      # two metrics of one name: "auc", "auc_1" (as Keras)
            count = seen.get(metric.name, 0)
            seen[metric.name] = count + 1
            if count:
                metric.name = f"{metric.name}_{count}"
        self.loss_sum = 0.0
        self.count = 0.0

    def update(self, loss_value, output, y, weights, normaliser):
        xp = get_backend().xp
        if not math.isfinite(loss_value):
            # NaN outputs (a diverged model) would still give plausible argmax accuracies
            loss_value = math.nan
        self.loss_sum += loss_value * normaliser
        self.count += normaliser
        for metric in self.metrics:
            metric.accumulate(xp, y, output, weights)

    def loss(self):
        return self.loss_sum / self.count if self.count else float("nan")

    def metric_results(self):
        """``{name: result}``; NaN for every metric once a batch's loss was not finite."""
        diverged = not math.isfinite(self.loss_sum)
        return {m.name: math.nan if diverged else m.result() for m in self.metrics}


class Tracker:
    """Running loss and metrics of every output; ``result()`` has Keras's log keys.

    The regularisers' penalty is part of ``loss`` (as Keras), averaged with the first
    output's weights.
    """

    def __init__(self, model):
        self.names, self.weights = model.output_names, model.loss_weights
        self.outputs = [OutputTracker(loss, names) for loss, names in
                        zip(model.losses, model.output_metric_names)]
        self.penalty_sum = 0.0

    def update(self, batch):
        """Add one batch's ``BatchLoss``."""
        for tracker, entry in zip(self.outputs, batch.outputs):
            tracker.update(*entry)
        self.penalty_sum += batch.penalty * batch.outputs[0][-1]

    def _penalty(self):
        count = self.outputs[0].count
        return self.penalty_sum / count if count else 0.0

    def result(self):
        if len(self.outputs) == 1:
            tracker = self.outputs[0]
            return {"loss": tracker.loss() + self._penalty(), **tracker.metric_results()}
        logs = {"loss": sum(w * t.loss() for w, t in zip(self.weights, self.outputs)) +
                self._penalty()}
        for name, tracker in zip(self.names, self.outputs):
            logs[f"{name}_loss"] = tracker.loss()
            logs.update({f"{name}_{key}": value
                         for key, value in tracker.metric_results().items()})
        return logs


def keras_results(logs, return_dict=False):
    """``evaluate``'s return value as Keras 3 gives it, from the logs of ``Tracker.result``.

    Returns:
        ``logs`` itself with ``return_dict``; else the loss alone when it is the only entry,
        or the list ``[loss, *metrics, *per-output losses]``: the loss, then the compiled
        metrics in order, then the remaining keys sorted by name (Keras's
        ``_flatten_metrics_in_order``).
    """
    if return_dict:
        return logs
    values = [logs[key] for key in keras_order(logs)]
    return values[0] if len(values) == 1 else values


def keras_order(logs):
    """The keys of ``logs`` in the order of ``keras_results``'s list."""
    metric_keys = [key for key in logs if key != "loss" and not key.endswith("_loss")]
    rest = sorted(key for key in logs if key != "loss" and key not in metric_keys)
    return ["loss", *metric_keys, *rest]
