"""Choosing the array backend: ``set_backend("numpy" | "cupy")``, ``get_backend()``.

The environment variable ``NNKIT_BACKEND`` picks the backend used until
``set_backend`` is called. Switching backends does not move existing weights;
build (or load) models after choosing.
"""
import os

from nnkit.errors import InvalidArgumentError

_BACKENDS = ("numpy", "cupy")
_current = None


def _make(name):
    if name == "numpy":
        from nnkit.backend.numpy_backend import NumpyBackend
        return NumpyBackend()
    if name == "cupy":
        from nnkit.backend.cupy_backend import CupyBackend
        return CupyBackend()
    raise InvalidArgumentError(f"unknown backend {name!r}: expected one of {_BACKENDS}")


def set_backend(name):
    """Use backend ``name`` ("numpy" or "cupy") from now on and return it.

    Raises:
        InvalidArgumentError: unknown name.
        BackendError: cupy asked for without CuPy or a CUDA device.
    """
    global _current
    _current = _make(name)
    return _current


def get_backend():
    """The current backend (``.name``, ``.xp``, ``.asarray``, ``.to_numpy``)."""
    global _current
    if _current is None:
        _current = _make(os.environ.get("NNKIT_BACKEND", "numpy"))
    return _current
