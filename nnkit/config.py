"""Process-wide settings, as Keras 3's ``keras.config``: float dtype, epsilon, image layout,
dtype policy, logging and debugging switches.

Every setting lives in the one ``_SETTINGS`` dict below (as Keras keeps its own in module
globals): a setting is the process's, not a model's, so set it before building models.
``nnkit.backend`` re-exports the ones Keras also keeps in ``keras.backend``.

Differences from Keras, each for a reason:
- ``set_floatx`` and ``set_dtype_policy`` take "float32" and "float64" only: nnkit's layers
  compute in those; "float16", "bfloat16" and the mixed policies are refused by name.
  nnkit has one float dtype, so ``set_dtype_policy("float64")`` also sets ``floatx``.
- ``backend()`` is "numpy": the Keras backend whose semantics nnkit's arrays follow (a script's
  ``if keras.backend.backend() == "tensorflow":`` then takes its backend-neutral path). The
  array library nnkit computes with (NumPy or CuPy) is ``nnkit.backend.get_backend().name``.
- nnkit never filters tracebacks and never deserializes code (no pickle, no ``Lambda``), so
  the traceback-filtering switches and ``enable_unsafe_deserialization`` only record the
  setting.
- ``KERAS_MAX_EPOCHS`` / ``KERAS_MAX_STEPS_PER_EPOCH`` are read at import, as Keras does.
"""
import os

from nnkit.errors import InvalidArgumentError
from nnkit.keras_names import missing_names

#: the float dtypes nnkit's layers compute in (Keras also has "float16" and "bfloat16")
FLOAT_DTYPES = ("float32", "float64")

_SETTINGS = {"floatx": "float32", "epsilon": 1e-7, "image_data_format": "channels_last",
             "traceback_filtering": True, "interactive_logging": True,
             "unsafe_deserialization": False,
             "max_epochs": None, "max_steps_per_epoch": None}


def _optional_count(name, value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidArgumentError(f"{name}: expected a positive integer or None, "
                                   f"received {value!r}")
    return value


def _env_count(variable):
    value = os.environ.get(variable)
    return None if not value else _optional_count(variable, int(value))


# ---- floats -----------------------------------------------------------------------------
def floatx():
    """The default float dtype name of weights and activations ("float32" by default)."""
    return _SETTINGS["floatx"]


def set_floatx(value):
    """Make ``value`` ("float32" or "float64") the dtype of new weights and activations.

    Raises:
        InvalidArgumentError: any other name ("float16" and "bfloat16", which Keras takes,
            are refused: nnkit does not compute in them).
    """
    if value not in FLOAT_DTYPES:
        raise InvalidArgumentError(f"set_floatx: expected 'float32' or 'float64', received "
                                   f"{value!r} (nnkit computes in float32 or float64 only)")
    _SETTINGS["floatx"] = str(value)


def epsilon():
    """The fuzz factor of numeric expressions (1e-7 by default, as Keras)."""
    return _SETTINGS["epsilon"]


def set_epsilon(value):
    """Set the fuzz factor returned by ``epsilon()`` (a number >= 0)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise InvalidArgumentError(f"set_epsilon: expected a number >= 0, received {value!r}")
    _SETTINGS["epsilon"] = float(value)


def image_data_format():
    """The default image layout: "channels_last" (``(N, H, W, C)``) or "channels_first"."""
    return _SETTINGS["image_data_format"]


def set_image_data_format(data_format):
    """Set the default image layout, "channels_last" or "channels_first" (any case)."""
    value = str(data_format).lower()
    if value not in ("channels_first", "channels_last"):
        raise InvalidArgumentError(f"set_image_data_format: expected 'channels_first' or "
                                   f"'channels_last', received {data_format!r}")
    _SETTINGS["image_data_format"] = value


def backend():
    """"numpy": the Keras backend whose semantics nnkit follows (see the module docstring)."""
    return "numpy"


# ---- dtype policy -----------------------------------------------------------------------
class DTypePolicy:
    """Keras's dtype policy for one float dtype: variables and computations in ``name``.

    Attributes:
        name, compute_dtype, variable_dtype: the dtype name ("float32" or "float64").
    """

    def __init__(self, name=None):
        name = floatx() if name is None else name
        if not isinstance(name, str) or name not in FLOAT_DTYPES:
            mixed = isinstance(name, str) and name.startswith("mixed_")
            raise InvalidArgumentError(
                f"DTypePolicy: expected 'float32' or 'float64', received {name!r}"
                + (" (nnkit has no mixed precision)" if mixed else ""))
        self.name = self.compute_dtype = self.variable_dtype = name

    def __eq__(self, other):
        return isinstance(other, DTypePolicy) and other.name == self.name

    def __hash__(self):
        return hash(self.name)

    def __repr__(self):
        return f'<DTypePolicy "{self.name}">'


def dtype_policy():
    """The current ``DTypePolicy``: nnkit has one float dtype, so the policy of ``floatx()``."""
    return DTypePolicy(floatx())


def set_dtype_policy(policy):
    """Set the global dtype policy: a ``DTypePolicy`` or its name ("float32", "float64").

    nnkit has one float dtype, so this also sets ``floatx``.

    Raises:
        InvalidArgumentError: a mixed ("mixed_float16", "mixed_bfloat16") or quantized policy,
            or another dtype.
    """
    set_floatx((policy if isinstance(policy, DTypePolicy) else DTypePolicy(policy)).name)


# ---- switches -----------------------------------------------------------------------------
def enable_traceback_filtering():
    """Recorded only: nnkit never hides its own frames from tracebacks."""
    _SETTINGS["traceback_filtering"] = True


def disable_traceback_filtering():
    """Recorded only: nnkit never hides its own frames from tracebacks."""
    _SETTINGS["traceback_filtering"] = False


def is_traceback_filtering_enabled():
    """The last setting of the two switches above (True by default, as Keras)."""
    return _SETTINGS["traceback_filtering"]


def enable_unsafe_deserialization():
    """Recorded only: nnkit never loads code from a file, so there is nothing to unlock."""
    _SETTINGS["unsafe_deserialization"] = True


def enable_interactive_logging():
    """Callback messages and progress bars go to stdout (the default)."""
    _SETTINGS["interactive_logging"] = True


def disable_interactive_logging():
    """Callback messages go to the ``logging`` logger "nnkit" (level INFO); no progress bars."""
    _SETTINGS["interactive_logging"] = False


def is_interactive_logging_enabled():
    """Whether callback messages go to stdout (True) or to ``logging`` (False)."""
    return _SETTINGS["interactive_logging"]


# ---- debugging caps -----------------------------------------------------------------------
def max_epochs():
    """The cap on the epochs of every ``fit`` (None: no cap)."""
    return _SETTINGS["max_epochs"]


def set_max_epochs(value):
    """Cap the epochs of every ``fit`` at ``value`` (None: no cap), for quick debugging runs."""
    _SETTINGS["max_epochs"] = _optional_count("set_max_epochs", value)


def max_steps_per_epoch():
    """The cap on the batches of one epoch of ``fit``/``evaluate``/``predict`` (None: none)."""
    return _SETTINGS["max_steps_per_epoch"]


def set_max_steps_per_epoch(value):
    """Cap the batches per epoch of ``fit``/``evaluate``/``predict`` (None: no cap)."""
    _SETTINGS["max_steps_per_epoch"] = _optional_count("set_max_steps_per_epoch", value)


_SETTINGS["max_epochs"] = _env_count("KERAS_MAX_EPOCHS")
_SETTINGS["max_steps_per_epoch"] = _env_count("KERAS_MAX_STEPS_PER_EPOCH")


__getattr__ = missing_names(__name__)   # names Keras has and nnkit lacks say so
