"""Accuracy metrics: binary, categorical, sparse categorical, top-k, and Keras's "accuracy"."""
from nnkit.errors import InvalidArgumentError
from nnkit.metrics.base import MeanMetric


def _sparse_labels(y_true, y_pred):
    """Integer labels ``y_pred.shape[:-1]`` (a trailing axis of size 1 dropped, as Keras)."""
    labels = y_true
    if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
        labels = labels[..., 0]
    return labels.astype("int64")


def binary_hits(y_true, y_pred, threshold=0.5):
    """Keras's ``binary_accuracy`` per entry: mean over the last axis of ``y_true == (y_pred > t)``."""
    return (y_true.reshape(y_pred.shape) == (y_pred > threshold)).mean(axis=-1)


def categorical_hits(y_true, y_pred):
    return (y_pred.argmax(axis=-1) == y_true.argmax(axis=-1)).astype("float64")


def sparse_categorical_hits(y_true, y_pred):
    return (y_pred.argmax(axis=-1) == _sparse_labels(y_true, y_pred)).astype("float64")


class BinaryAccuracy(MeanMetric):
    """Mean over the last axis of ``(y_pred > threshold) == y_true`` (Keras's ``binary_accuracy``)."""

    name = "binary_accuracy"

    def __init__(self, name=None, threshold=0.5):
        self.threshold = float(threshold)
        super().__init__(name)

    def values(self, xp, y_true, y_pred):
        return binary_hits(y_true, y_pred, self.threshold)

    def get_config(self):
        return {**super().get_config(), "threshold": self.threshold}


class CategoricalAccuracy(MeanMetric):
    """``argmax(y_pred) == argmax(y_true)`` for one-hot (or soft) targets."""

    name = "categorical_accuracy"

    def values(self, xp, y_true, y_pred):
        return categorical_hits(y_true, y_pred)


class SparseCategoricalAccuracy(MeanMetric):
    """``argmax(y_pred) == y_true`` for integer labels."""

    name = "sparse_categorical_accuracy"

    def values(self, xp, y_true, y_pred):
        return sparse_categorical_hits(y_true, y_pred)


class SparseTopKCategoricalAccuracy(MeanMetric):
    """The label is among the ``k`` largest predictions (ties at the boundary count as in, as
    TensorFlow's ``in_top_k``: fewer than k entries are strictly larger)."""

    name = "sparse_top_k_categorical_accuracy"

    def __init__(self, k=5, name=None):
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise InvalidArgumentError(f"metric '{self.name}': k must be a positive integer, "
                                       f"received {k!r}")
        self.k = k
        super().__init__(name)

    def labels(self, y_true, y_pred):
        return _sparse_labels(y_true, y_pred)

    def values(self, xp, y_true, y_pred):
        labels = self.labels(y_true, y_pred)
        target = xp.take_along_axis(y_pred, labels[..., None], axis=-1)
        return ((y_pred > target).sum(axis=-1) < self.k).astype("float64")

    def get_config(self):
        return {**super().get_config(), "k": self.k}


class TopKCategoricalAccuracy(SparseTopKCategoricalAccuracy):
    """``SparseTopKCategoricalAccuracy`` for one-hot targets (the label is their argmax)."""

    name = "top_k_categorical_accuracy"

    def labels(self, y_true, y_pred):
        return y_true.argmax(axis=-1)


class Accuracy(MeanMetric):
    """Keras's ``metrics=["accuracy"]``: the rule follows the loss.

    Sparse labels: ``SparseCategoricalAccuracy``; one-hot targets with C > 1:
    ``CategoricalAccuracy``; a single output, or ``binary_crossentropy`` with C
    independent labels: ``BinaryAccuracy``.
    """

    name = "accuracy"

    def __init__(self, sparse_labels, binary=False, name=None):
        self.sparse_labels, self.binary = bool(sparse_labels), bool(binary)
        super().__init__(name)

    def values(self, xp, y_true, y_pred):
        if self.sparse_labels:
            return sparse_categorical_hits(y_true, y_pred)
        if self.binary or y_pred.shape[-1] == 1:
            return binary_hits(y_true, y_pred)
        return categorical_hits(y_true, y_pred)
