"""Losses: Keras 3's classes and functions, each also a training loss of nnkit's loop.

Classes (``nnkit.losses.base`` has the protocol): ``BinaryCrossentropy``,
``CategoricalCrossentropy``, ``SparseCategoricalCrossentropy`` (``from_logits``),
``MeanSquaredError``, ``MeanAbsoluteError``, ``MeanAbsolutePercentageError``,
``MeanSquaredLogarithmicError``, ``Huber``, ``LogCosh``, ``CosineSimilarity``,
``KLDivergence``, ``Poisson``, ``Hinge``, ``SquaredHinge``, ``CategoricalHinge``.
Functions (per-sample values): ``categorical_crossentropy``, ``mean_squared_error``
(``mse``), ... as Keras names them.

``get`` gives the Loss of a name (Keras's: ``"mse"``, ``"huber"``, ``"kl_divergence"``,
the class names, and each class's default instance name such as ``"huber_loss"``), a
Loss object or class, one of the functions above, or Keras's config dict
``{"class_name", "config"}``. ``serialize`` gives what a training config stores.
"""
import inspect

from nnkit.errors import InvalidArgumentError
from nnkit.keras_names import missing_names
from nnkit.losses.base import EPSILON, REDUCTIONS, Loss
from nnkit.losses.crossentropy import (BinaryCrossentropy, CategoricalCrossentropy,
                                       SparseCategoricalCrossentropy)
from nnkit.losses.functions import (FUNCTION_CLASSES, binary_crossentropy, categorical_crossentropy,
                                    categorical_hinge, cosine_similarity, hinge, huber,
                                    kl_divergence, log_cosh, mean_absolute_error,
                                    mean_absolute_percentage_error, mean_squared_error,
                                    mean_squared_logarithmic_error, poisson,
                                    sparse_categorical_crossentropy, squared_hinge)
from nnkit.losses.hinge import CategoricalHinge, Hinge, SquaredHinge
from nnkit.losses.probabilistic import KLDivergence, Poisson
from nnkit.losses.regression import (CosineSimilarity, Huber, LogCosh, MeanAbsoluteError,
                                     MeanAbsolutePercentageError, MeanSquaredError,
                                     MeanSquaredLogarithmicError)
from nnkit.registry import Registry

# Keras's short names (and Keras 2's) of the functions
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
bce = BCE = binary_crossentropy

LOSSES = Registry("loss")


def register(cls):
    """Class decorator: ``cls`` loads from configs by its class name and default ``name``."""
    LOSSES.register(cls)
    if cls.name:
        LOSSES.alias(cls.name, cls)
    return cls


for _function, _class in FUNCTION_CLASSES.items():
    register(_class)
    LOSSES.alias(_function.__name__, _class)
for _alias, _function in (("mse", mse), ("MSE", mse), ("mae", mae), ("MAE", mae),
                          ("mape", mape), ("MAPE", mape), ("msle", msle), ("MSLE", msle),
                          ("kld", kld), ("KLD", kld), ("kullback_leibler_divergence", kld),
                          ("logcosh", logcosh), ("bce", bce), ("BCE", bce)):
    LOSSES.alias(_alias, FUNCTION_CLASSES[_function])


def get(loss):
    """The Loss of ``loss`` (see the module docstring); a Loss object is returned as it is.

    Raises:
        InvalidArgumentError: an unknown name or class, a config the class does not take,
            or a function other than nnkit's (nnkit has no automatic differentiation: a
            custom loss is a Loss subclass with ``per_entry`` and ``per_entry_grad``).
    """
    if isinstance(loss, Loss):
        return loss
    if inspect.isclass(loss) and issubclass(loss, Loss):
        return loss()
    if callable(loss) and not isinstance(loss, type):
        if loss in FUNCTION_CLASSES:
            return FUNCTION_CLASSES[loss]()
        raise InvalidArgumentError(
            f"loss {getattr(loss, '__name__', loss)!r}: nnkit cannot differentiate a custom "
            f"loss function; write a nnkit.losses.Loss subclass with per_entry and "
            f"per_entry_grad, or use one of {LOSSES.names()}")
    if isinstance(loss, dict) and "class_name" in loss:
        cls = LOSSES.get(loss["class_name"])
        try:
            return cls.from_config(dict(loss.get("config") or {}))
        except TypeError as error:
            raise InvalidArgumentError(f"loss config {loss!r}: {error}") from None
    if isinstance(loss, str) and loss in LOSSES.names():
        return LOSSES.get(loss)()
    raise InvalidArgumentError(f"unknown loss {loss!r}: expected one of {LOSSES.names()} "
                               f"or a nnkit.losses.Loss instance")


def serialize(loss):
    """What a training config stores: a name as it is; a Loss as its default name when it
    has its class's default configuration, else ``{"class_name", "config"}``."""
    if isinstance(loss, str):
        return loss
    loss = get(loss)
    if loss.get_config() == type(loss)().get_config():
        return loss.name
    return {"class_name": type(loss).__name__, "config": loss.get_config()}


deserialize = get

__all__ = ["Loss", "EPSILON", "REDUCTIONS", "LOSSES", "BinaryCrossentropy",
           "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "MeanSquaredError",
           "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError",
           "Huber", "LogCosh", "CosineSimilarity", "KLDivergence", "Poisson", "Hinge",
           "SquaredHinge", "CategoricalHinge", "binary_crossentropy", "categorical_crossentropy",
           "sparse_categorical_crossentropy", "mean_squared_error", "mean_absolute_error",
           "mean_absolute_percentage_error", "mean_squared_logarithmic_error", "huber",
           "log_cosh", "cosine_similarity", "kl_divergence", "poisson", "hinge",
           "squared_hinge", "categorical_hinge", "mse", "mae", "mape", "msle", "kld",
           "logcosh", "get", "serialize", "deserialize", "register"]

__getattr__ = missing_names(__name__)   # names Keras has and nnkit lacks say so
