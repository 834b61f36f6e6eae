"""Global settings: the float dtype of weights and activations."""
from nnkit.errors import InvalidArgumentError

_FLOATX = ["float32"]


def set_floatx(name):
    """Make ``name`` ("float32" or "float64") the dtype of new weights and activations."""
    if name not in ("float32", "float64"):
        raise InvalidArgumentError(f"set_floatx: expected 'float32' or 'float64', received {name!r}")
    _FLOATX[0] = name


def floatx():
    """The current float dtype name ("float32" by default)."""
    return _FLOATX[0]
