"""Choosing the array backend: ``set_backend("numpy" | "cupy")``, ``get_backend()``.

The environment variable ``NNKIT_BACKEND`` picks the backend used until
``set_backend`` is called. Switching backends does not move existing weights;
build (or load) models after choosing. ``keep_freed_memory()`` opts the process
into reusing freed host memory (``host_memory``).
"""
import importlib
import os

from nnkit.backend.host_memory import keep_freed_memory  # noqa: F401 (public)
from nnkit.errors import InvalidArgumentError

#: Backend name → ``"module:Class"``, imported when first chosen: a new backend is one
#: module with a ``Backend`` subclass and one entry here.
BACKENDS = {"numpy": "nnkit.backend.numpy_backend:NumpyBackend",
            "cupy": "nnkit.backend.cupy_backend:CupyBackend"}
_current = None


def _make(name):
    if name not in BACKENDS:
        raise InvalidArgumentError(f"unknown backend {name!r}: expected one of {tuple(BACKENDS)}")
    module, cls = BACKENDS[name].split(":")
    return getattr(importlib.import_module(module), cls)()


def set_backend(name):
    """Use backend ``name`` (a key of ``BACKENDS``: "numpy" or "cupy") from now on and return it.

    Raises:
        InvalidArgumentError: unknown name.
        BackendError: cupy asked for without CuPy or a CUDA device.
    """
    global _current
    _current = _make(name)
    return _current


def get_backend():
    """The current backend (``.name``, ``.xp``, ``.asarray``, ``.to_numpy``, ``.kernel``)."""
    global _current
    if _current is None:
        _current = _make(os.environ.get("NNKIT_BACKEND", "numpy"))
    return _current
