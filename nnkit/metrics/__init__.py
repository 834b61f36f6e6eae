"""Metrics accumulated over batches, with Keras's protocol and names.

Every metric has ``update_state(y_true, y_pred, sample_weight=None)``, ``result()`` and
``reset_state()`` (``Mean`` and ``Sum`` take ``update_state(values, sample_weight)``);
``compile(metrics=[...])`` takes names, Metric objects or classes, configs and functions
(wrapped in ``MeanMetricWrapper``). A name is Keras's: a class name, its snake_case form
(``"kl_divergence"``, ``"log_cosh_error"``), ``"accuracy"``/``"acc"`` (rule chosen by the
loss), the short names ``"mae"``, ``"mse"``, ``"rmse"``, ``"mape"``, ``"msle"``, ``"bce"``,
and ``"logcosh"``; the metric is named by the string given, as in Keras 3 (``"acc"``
is named ``"accuracy"``).
"""
import copy
import inspect
import re

from nnkit.errors import InvalidArgumentError
from nnkit.keras_names import missing_names
from nnkit.losses.functions import (binary_crossentropy, categorical_crossentropy,
                                    categorical_hinge, hinge, huber, kl_divergence, log_cosh,
                                    mean_absolute_error, mean_absolute_percentage_error,
                                    mean_squared_error, mean_squared_logarithmic_error, poisson,
                                    sparse_categorical_crossentropy, squared_hinge)
from nnkit.metrics.accuracy import (Accuracy, BinaryAccuracy, CategoricalAccuracy,
                                    SparseCategoricalAccuracy, SparseTopKCategoricalAccuracy,
                                    TopKCategoricalAccuracy)
from nnkit.metrics.auc import AUC
from nnkit.metrics.base import MeanMetric, Metric
from nnkit.metrics.confusion import F1Score, Precision, Recall
from nnkit.metrics.loss_metrics import (BinaryCrossentropy, CategoricalCrossentropy,
                                        CategoricalHinge, CosineSimilarity, Hinge, KLDivergence,
                                        LogCoshError, MeanAbsolutePercentageError,
                                        MeanMetricWrapper, MeanSquaredLogarithmicError, Poisson,
                                        SparseCategoricalCrossentropy, SquaredHinge)
from nnkit.metrics.reduction import Mean, Sum
from nnkit.metrics.regression import MeanAbsoluteError, MeanSquaredError, RootMeanSquaredError
from nnkit.registry import Registry

METRICS = Registry("metric")
_NAMES = {}


def register(cls):
    """Class decorator: ``cls`` loads from configs and is named in ``compile`` by its class
    name and snake_case name."""
    METRICS.register(cls)
    _NAMES[cls.__name__] = _NAMES[_snake_case(cls.__name__)] = cls
    return cls


def _snake_case(name):
    """Keras's: ``"KLDivergence"`` → ``"kl_divergence"``, ``"AUC"`` → ``"auc"``."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


for _class in (BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
               TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, Precision, Recall, AUC,
               F1Score, MeanAbsoluteError, MeanSquaredError, RootMeanSquaredError, Mean, Sum,
               BinaryCrossentropy, CategoricalCrossentropy,
               SparseCategoricalCrossentropy, KLDivergence, Poisson, Hinge, SquaredHinge,
               CategoricalHinge, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
               LogCoshError, CosineSimilarity):
    register(_class)
METRICS.register(MeanMetricWrapper)
_NAMES.update({"mae": MeanAbsoluteError,
               "MAE": MeanAbsoluteError, "mse": MeanSquaredError, "MSE": MeanSquaredError,
               "rmse": RootMeanSquaredError, "mape": MeanAbsolutePercentageError,
               "MAPE": MeanAbsolutePercentageError, "msle": MeanSquaredLogarithmicError,
               "MSLE": MeanSquaredLogarithmicError, "bce": BinaryCrossentropy,
               "BCE": BinaryCrossentropy, "logcosh": LogCoshError})
_VALUES_ONLY = (Mean, Sum)


def get(metric, loss):
    """A fresh metric for one output trained with ``loss``: from a name, a Metric object or
    class, a config, or a function ``f(y_true, y_pred)``.

    Raises:
        InvalidArgumentError: unknown name, or a metric of plain values (Mean, Sum).
    """
    if isinstance(metric, Metric):
        result = copy.deepcopy(metric)
        result.reset_state()
    elif inspect.isclass(metric) and issubclass(metric, Metric):
        result = metric()
    elif isinstance(metric, dict):
        result = METRICS.get(metric.get("class_name")).from_config(
            dict(metric.get("config") or {}))
    elif metric in ("accuracy", "acc"):                   # named as given, as Keras 3 names it
        result = Accuracy(loss.sparse_labels, binary=loss.name == "binary_crossentropy")
        result.name = metric
        return result
    elif isinstance(metric, str) and metric in _NAMES:
        result = _NAMES[metric](name=metric)
    elif callable(metric):
        return MeanMetricWrapper(metric)
    else:
        raise InvalidArgumentError(f"unknown metric {metric!r}: expected one of "
                                   f"{sorted(['accuracy', 'acc', *_NAMES])}, a "
                                   f"nnkit.metrics.Metric or a function f(y_true, y_pred)")
    if isinstance(result, _VALUES_ONLY):
        raise InvalidArgumentError(f"metric {metric!r} ({type(result).__name__}) takes values "
                                   f"(update_state(values)), not targets and predictions: "
                                   f"it cannot be a compile() metric")
    return result


def serialize(metric):
    """What a training config stores: the name, or ``{"class_name", "config"}`` of an object
    (a function: its wrapper's)."""
    if isinstance(metric, Metric):
        return {"class_name": type(metric).__name__, "config": metric.get_config()}
    if callable(metric) and not isinstance(metric, str):
        return serialize(MeanMetricWrapper(metric))
    return metric


__all__ = ["Metric", "MeanMetric", "Mean", "Sum", "MeanMetricWrapper", "Accuracy",
           "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy",
           "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy", "Precision", "Recall",
           "AUC", "F1Score", "MeanAbsoluteError", "MeanSquaredError", "RootMeanSquaredError",
           "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
           "KLDivergence", "Poisson", "Hinge", "SquaredHinge", "CategoricalHinge",
           "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "LogCoshError",
           "CosineSimilarity", "METRICS", "binary_crossentropy", "categorical_crossentropy",
           "sparse_categorical_crossentropy", "kl_divergence", "poisson", "hinge",
           "squared_hinge", "categorical_hinge", "mean_absolute_error", "mean_squared_error",
           "mean_absolute_percentage_error", "mean_squared_logarithmic_error", "huber",
           "log_cosh", "get", "register", "serialize"]

__getattr__ = missing_names(__name__)   # names Keras has and nnkit lacks say so
