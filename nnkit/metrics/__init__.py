"""Metrics accumulated over batches, with Keras's protocol and names.

Every metric has ``update_state(y_true, y_pred, sample_weight=None)``, ``result()`` and
``reset_state()``; ``compile(metrics=[...])`` takes names or Metric objects. Names
(Keras's): "accuracy"/"acc" (rule chosen by the loss), "binary_accuracy",
"categorical_accuracy", "sparse_categorical_accuracy", "top_k_categorical_accuracy",
"sparse_top_k_categorical_accuracy" (k = 5), "precision", "recall", "auc", "f1_score"
(macro), "mae"/"mean_absolute_error", "mse"/"mean_squared_error",
"rmse"/"root_mean_squared_error".
"""
import copy

from nnkit.errors import InvalidArgumentError
from nnkit.metrics.accuracy import (Accuracy, BinaryAccuracy, CategoricalAccuracy,
                                    SparseCategoricalAccuracy, SparseTopKCategoricalAccuracy,
                                    TopKCategoricalAccuracy)
from nnkit.metrics.auc import AUC
from nnkit.metrics.base import MeanMetric, Metric
from nnkit.metrics.confusion import F1Score, Precision, Recall
from nnkit.metrics.regression import MeanAbsoluteError, MeanSquaredError, RootMeanSquaredError
from nnkit.registry import Registry

METRICS = Registry("metric")
for _class in (BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
               TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, Precision, Recall, AUC,
               F1Score, MeanAbsoluteError, MeanSquaredError, RootMeanSquaredError):
    METRICS.register(_class)

_NAMES = {"binary_accuracy": BinaryAccuracy, "categorical_accuracy": CategoricalAccuracy,
          "sparse_categorical_accuracy": SparseCategoricalAccuracy,
          "top_k_categorical_accuracy": TopKCategoricalAccuracy,
          "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
          "precision": Precision, "recall": Recall, "auc": AUC, "f1_score": F1Score,
          "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
          "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
          "rmse": RootMeanSquaredError, "root_mean_squared_error": RootMeanSquaredError}


def get(metric, loss):
    """A fresh metric for one output trained with ``loss``: from a name, a Metric, or a config.

    Raises:
        InvalidArgumentError: unknown name.
    """
    if isinstance(metric, Metric):
        result = copy.deepcopy(metric)
        result.reset_state()
        return result
    if isinstance(metric, dict):
        return METRICS.get(metric.get("class_name")).from_config(dict(metric.get("config") or {}))
    if metric in ("accuracy", "acc"):
        return Accuracy(loss.sparse_labels, binary=loss.name == "binary_crossentropy")
    if metric not in _NAMES:
        raise InvalidArgumentError(f"unknown metric {metric!r}: expected one of "
                                   f"{sorted(['accuracy', *_NAMES])} or a nnkit.metrics.Metric")
    return _NAMES[metric]()


def serialize(metric):
    """What a training config stores: the name, or ``{"class_name", "config"}`` of an object."""
    if isinstance(metric, Metric):
        return {"class_name": type(metric).__name__, "config": metric.get_config()}
    return metric


__all__ = ["Metric", "MeanMetric", "Accuracy", "BinaryAccuracy", "CategoricalAccuracy",
           "SparseCategoricalAccuracy", "TopKCategoricalAccuracy",
           "SparseTopKCategoricalAccuracy", "Precision", "Recall", "AUC", "F1Score",
           "MeanAbsoluteError", "MeanSquaredError", "RootMeanSquaredError", "get", "serialize"]
