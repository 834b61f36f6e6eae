"""nnkit's exceptions: every user-facing error is one of these.

Each subclasses the builtin a Python user would expect (ValueError for bad
values and shapes, TypeError for bad types), so ``except ValueError`` keeps
working, while ``except nnkit.NnkitError`` catches everything nnkit raises.
"""


class NnkitError(Exception):
    """Base class of every error nnkit raises on purpose."""


class ShapeError(NnkitError, ValueError):
    """An array has the wrong rank or size for the layer or argument."""


class DTypeError(NnkitError, TypeError):
    """An array has a dtype the layer or argument cannot take."""


class InvalidArgumentError(NnkitError, ValueError):
    """An argument has a value outside what is allowed (unknown name, bad range)."""


class NotBuiltError(NnkitError, RuntimeError):
    """A layer or model is used before its weights exist."""


class CheckpointError(NnkitError, ValueError):
    """A checkpoint file is missing, truncated, corrupted, hostile or of a newer format."""


class BackendError(NnkitError, RuntimeError):
    """The requested array backend cannot be used on this machine."""


def describe(array):
    """Short text for an array in error messages: ``shape (32, 10) float32``."""
    shape = getattr(array, "shape", None)
    dtype = getattr(array, "dtype", None)
    if shape is None:
        return type(array).__name__
    return f"shape {tuple(shape)} {dtype}"
