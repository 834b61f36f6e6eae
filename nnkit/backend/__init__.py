"""Choosing the array backend: ``set_backend("numpy" | "cupy")``, ``get_backend()``.

The environment variable ``NNKIT_BACKEND`` picks the backend used until
``set_backend`` is called. Switching backends does not move existing weights;
build (or load) models after choosing. ``keep_freed_memory()`` opts the process
into reusing freed host memory (``host_memory``).

Keras 3's ``keras.backend`` functions are here too: ``clear_session``, ``floatx``,
``set_floatx``, ``epsilon``, ``set_epsilon``, ``image_data_format``,
``set_image_data_format``, ``backend`` (the settings of ``nnkit.config``), ``get_uid``,
``is_keras_tensor``, ``standardize_dtype``, ``is_float_dtype``, ``is_int_dtype``.
"""
import gc
import importlib
import os

from nnkit import registry
from nnkit.backend.host_memory import keep_freed_memory  # noqa: F401 (public)
from nnkit.config import (backend, epsilon, floatx, image_data_format,  # noqa: F401 (public)
                          set_epsilon, set_floatx, set_image_data_format)
from nnkit.errors import InvalidArgumentError
from nnkit.keras_names import missing_names
from nnkit.registry import get_uid  # noqa: F401 (public)

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


# ---- Keras 3's keras.backend ----------------------------------------------------------------
#: the dtype names Keras knows (``standardize_dtype`` returns one of them)
KERAS_DTYPES = ("float16", "float32", "float64", "uint8", "uint16", "uint32", "uint64", "int8",
                "int16", "int32", "int64", "bfloat16", "bool", "string", "float8_e4m3fn",
                "float8_e5m2", "complex64", "complex128")
#: Python's types (and "int") as Keras's non-TensorFlow backends name them
_PYTHON_DTYPES = {bool: "bool", int: "int32", float: "float32", str: "string", "int": "int32",
                  complex: "complex64"}


def clear_session(free_memory=True):
    """Keras's ``clear_session``: automatic layer names start again ("dense", "dense_1", ...);
    with ``free_memory``, Python's garbage is collected and the backend's memory pool (CuPy's
    device and pinned pools) gives its free blocks back. Weights of live models are untouched.
    """
    registry.reset_names()
    if free_memory:
        gc.collect()
        xp = None if _current is None else _current.xp
        for pool_of in ("get_default_memory_pool", "get_default_pinned_memory_pool"):
            if hasattr(xp, pool_of):
                getattr(xp, pool_of)().free_all_blocks()


def is_keras_tensor(x):
    """Whether ``x`` is a symbolic tensor (what ``nnkit.Input`` and layer calls on it return).

    The backend sits below the layers, so it asks the class: symbolic tensors carry the class
    attribute ``keras_tensor = True``.
    """
    return getattr(type(x), "keras_tensor", False) is True


def standardize_dtype(dtype):
    """Keras's name of ``dtype``: None gives ``floatx()``, Python's ``int`` "int32", a NumPy
    dtype or type its name ("float32", ...).

    Raises:
        InvalidArgumentError: a dtype Keras does not know.
    """
    if dtype is None:
        return floatx()
    if isinstance(dtype, (type, str)) and dtype in _PYTHON_DTYPES:
        return _PYTHON_DTYPES[dtype]
    name = getattr(dtype, "name", None) or getattr(dtype, "__name__", None) or dtype
    if not isinstance(name, str) or name not in KERAS_DTYPES:
        raise InvalidArgumentError(f"standardize_dtype: invalid dtype {dtype!r}: expected one of "
                                   f"{KERAS_DTYPES}")
    return name


def is_float_dtype(dtype):
    """Whether ``dtype`` (anything ``standardize_dtype`` takes) is a float dtype."""
    return standardize_dtype(dtype).startswith(("float", "bfloat"))


def is_int_dtype(dtype):
    """Whether ``dtype`` (anything ``standardize_dtype`` takes) is a signed or unsigned int."""
    return standardize_dtype(dtype).startswith(("int", "uint"))

__getattr__ = missing_names(__name__)   # names Keras has and nnkit lacks say so
