"""Running loss and metrics over the batches of one pass (an epoch, an evaluation)."""
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
        self.loss_sum += loss_value * normaliser
        self.count += normaliser
        for metric in self.metrics:
            metric.accumulate(xp, y, output, weights)

    def loss(self):
        return self.loss_sum / self.count if self.count else float("nan")


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
            return {"loss": tracker.loss() + self._penalty(),
                    **{m.name: m.result() for m in tracker.metrics}}
        logs = {"loss": sum(w * t.loss() for w, t in zip(self.weights, self.outputs)) +
                self._penalty()}
        for name, tracker in zip(self.names, self.outputs):
            logs[f"{name}_loss"] = tracker.loss()
            logs.update({f"{name}_{m.name}": m.result() for m in tracker.metrics})
        return logs
