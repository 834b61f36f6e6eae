"""Metrics accumulated over batches: ``update(y_pred, y_true, weights)`` then ``result()``."""
from nnkit.errors import InvalidArgumentError


class Accuracy:
    """Fraction of correct predictions, choosing the rule from the loss like Keras's "accuracy".

    - sparse labels: ``argmax(p) == y``;
    - one-hot targets with C > 1: ``argmax(p) == argmax(y)``;
    - binary (a single output, or ``binary_crossentropy`` with C independent
      labels): the fraction of the C outputs with ``(p > 0.5) == (y > 0.5)``
      (Keras's binary_accuracy).
    """

    name = "accuracy"

    def __init__(self, sparse_labels, binary=False):
        self.sparse_labels = sparse_labels
        self.binary = binary
        self.reset()

    def reset(self):
        self.correct = 0.0
        self.count = 0.0

    def update(self, xp, y_pred, y_true, weights=None):
        if self.sparse_labels:
            hits = y_pred.argmax(axis=-1) == y_true
        elif self.binary or y_pred.shape[-1] == 1:
            hits = ((y_pred > 0.5) == (y_true > 0.5)).mean(axis=-1)
        else:
            hits = y_pred.argmax(axis=-1) == y_true.argmax(axis=-1)
        if weights is None:
            self.correct += float(hits.sum())
            self.count += hits.size
        else:
            self.correct += float((hits * weights).sum())
            self.count += float(weights.sum())

    def result(self):
        return self.correct / self.count if self.count else 0.0


def get(name, loss):
    """The metric called ``name`` for a model trained with ``loss``."""
    if name in ("accuracy", "acc"):
        return Accuracy(loss.sparse_labels, binary=loss.name == "binary_crossentropy")
    raise InvalidArgumentError(f"unknown metric {name!r}: expected 'accuracy'")
