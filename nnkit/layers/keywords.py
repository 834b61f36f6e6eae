"""The keyword arguments every layer takes besides its own, read as Keras 3 reads them.

Keras 3's ``Layer.__init__`` takes ``name``, ``trainable``, ``dtype``,
``autocast`` and ``activity_regularizer``; it accepts ``input_shape`` and
``input_dim`` (``(input_dim,)``) with a warning, since a model should start
with ``Input(shape)``; anything else is refused with "Unrecognized keyword
arguments passed to <Class>: {...}". nnkit does the same, and also accepts
Keras 2's ``batch_input_shape`` (its batch size dropped) with that warning, so
Keras 2 scripts run. A layer's weight options (``kernel_regularizer``,
``bias_constraint``, ...) are the keywords named by its ``regularizable``.

nnkit computes every layer in ``floatx``, so ``dtype`` may only name it, and
it has no activity regularisers, so ``activity_regularizer`` must be None.
"""
import pathlib
import sys
import warnings

from nnkit import config, validation
from nnkit.errors import InvalidArgumentError

_ADVICE = ("When using Sequential models, prefer using an `Input(shape)` object as the first "
           "layer in the model instead.")
#: Keras 3's words for ``input_shape``/``input_dim``
SHAPE_WARNING = "Do not pass an `input_shape`/`input_dim` argument to a layer. " + _ADVICE
#: Keras 3 refuses ``batch_input_shape`` on layers; nnkit takes it, with this warning
BATCH_SHAPE_WARNING = ("Do not pass a `batch_input_shape` argument to a layer (Keras 2's form; "
                       "Keras 3 refuses it). " + _ADVICE)

_NNKIT = str(pathlib.Path(__file__).resolve().parents[1])


def warn_user(message):
    """``warnings.warn(message)`` pointing at the first caller outside nnkit."""
    level, frame = 2, sys._getframe(1)          # stacklevel 2 is the frame of sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_NNKIT):
        level, frame = level + 1, frame.f_back
    warnings.warn(message, UserWarning, stacklevel=level)


def pop_input_shape(where, kwargs):
    """Remove Keras's shape keywords from ``kwargs``; the example shape they give (batch
    axis excluded) or None. Warns as Keras 3 does when one is given.

    ``input_dim=D`` means ``input_shape=(D,)`` and wins over ``input_shape``
    (Keras's order), which wins over ``batch_input_shape``.
    """
    input_dim = kwargs.pop("input_dim", None)
    input_shape = kwargs.pop("input_shape", None)
    batch_input_shape = kwargs.pop("batch_input_shape", None)
    if input_dim is not None:
        warn_user(SHAPE_WARNING)
        return (validation.positive_int(where, "input_dim", input_dim),)
    if input_shape is not None:
        warn_user(SHAPE_WARNING)
        return validation.shape(where, "input_shape", input_shape)
    if batch_input_shape is not None:
        warn_user(BATCH_SHAPE_WARNING)
        return validation.shape(where, "batch_input_shape", batch_input_shape)[1:]
    return None


def check_common_keywords(where, kwargs):
    """Remove and check ``dtype``, ``autocast`` and ``activity_regularizer`` from ``kwargs``.

    Raises:
        InvalidArgumentError: a dtype other than floatx, or an activity regulariser.
    """
    dtype = kwargs.pop("dtype", None)
    kwargs.pop("autocast", None)
    activity = kwargs.pop("activity_regularizer", None)
    if dtype is not None and str(dtype) != config.floatx():
        raise InvalidArgumentError(f"{where}: dtype={dtype!r} is not supported; nnkit computes "
                                   f"every layer in floatx ({config.floatx()!r}; "
                                   f"nnkit.config.set_floatx)")
    if activity is not None:
        raise InvalidArgumentError(f"{where}: activity_regularizer={activity!r} is not "
                                   f"supported; nnkit has no activity regularizers")


def refuse_unrecognized(where, class_name, kwargs, weight_options):
    """Raise for whatever is left in ``kwargs`` (Keras: "Unrecognized keyword arguments")."""
    if kwargs:
        raise InvalidArgumentError(
            f"{where}: unrecognized keyword arguments passed to {class_name}: {kwargs}; "
            f"besides its own arguments it takes name, trainable, dtype, input_shape and the "
            f"weight options {list(weight_options) or 'none'}")


_KERAS_WEIGHT_ARGUMENTS = ("shape", "initializer", "dtype", "trainable", "autocast",
                           "regularizer", "constraint", "aggregation",
                           "overwrite_with_gradient", "name")


def keras_weight_arguments(where, args, kwargs):
    """Keras 3's ``add_weight`` arguments as a dict (defaults filled in).

    Raises:
        InvalidArgumentError: an unknown argument, no shape, or an option nnkit does not
            implement (a dtype other than the layer's, aggregation, overwrite_with_gradient).
    """
    if len(args) > len(_KERAS_WEIGHT_ARGUMENTS):
        raise InvalidArgumentError(f"{where}: add_weight takes at most "
                                   f"{len(_KERAS_WEIGHT_ARGUMENTS)} arguments")
    spec = dict(zip(_KERAS_WEIGHT_ARGUMENTS, args))
    for key, value in kwargs.items():
        if key not in _KERAS_WEIGHT_ARGUMENTS or key in spec:
            raise InvalidArgumentError(f"{where}: add_weight got an unexpected or repeated "
                                       f"argument {key!r}")
        spec[key] = value
    if spec.get("shape") is None:
        raise InvalidArgumentError(f"{where}: add_weight needs a shape")
    if spec.get("dtype") not in (None, config.floatx()):
        raise InvalidArgumentError(f"{where}: add_weight dtype={spec['dtype']!r}: nnkit "
                                   f"weights are in floatx ({config.floatx()!r})")
    if spec.get("aggregation", "none") not in ("none", "mean", None) or \
            spec.get("overwrite_with_gradient"):
        raise InvalidArgumentError(f"{where}: add_weight aggregation/overwrite_with_gradient "
                                   f"are not implemented in nnkit")
    spec.setdefault("initializer", None)
    if spec["initializer"] is None:
        spec["initializer"] = "glorot_uniform"
    spec.setdefault("name", None)
    return spec

