"""The NumPy backend's compiled hot spots (``cpu_kernels.c``), loaded with ctypes.

``pip install`` builds ``cpu_kernels.c`` into the extension
``nnkit.backend.kernels.cpu_kernels`` (``setup.py``; optional: without a C
compiler the install goes on without it). ``load_library()`` opens it on first
use and returns None where it was not built or ``NNKIT_COMPILED=0`` is set;
the NumPy backend then runs the same computations with NumPy calls.
"""
import ctypes
import importlib.util
import os

_library = None
_looked_up = False


def load_library():
    """The compiled library (a ``ctypes.CDLL``), or None."""
    global _library, _looked_up
    if not _looked_up:
        _looked_up = True
        spec = None
        if os.environ.get("NNKIT_COMPILED", "1") != "0":
            spec = importlib.util.find_spec("nnkit.backend.kernels.cpu_kernels")
        if spec is not None and spec.origin:
            _library = ctypes.CDLL(spec.origin)
    return _library


def address(array):
    """The address of ``array``'s first element, for a ctypes call.

    ``ctypes.c_char.from_buffer`` takes ~0.15 µs, ``array.ctypes.data`` ~0.8 µs:
    per call of a small kernel (a batch of 5 bag-of-words rows) that is most
    of its cost. Read-only, strided or empty arrays take the slower way.
    """
    try:
        return ctypes.addressof(ctypes.c_char.from_buffer(array))
    except (TypeError, ValueError):
        return array.ctypes.data
