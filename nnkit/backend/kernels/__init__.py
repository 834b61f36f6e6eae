"""The NumPy backend's compiled hot spots (``cpu_kernels.c``), loaded with ctypes.

``pip install`` builds ``cpu_kernels.c`` once per instruction set (``setup.py``:
``cpu_kernels_avx512``, ``_avx2``, ``_generic``, each for any CPU that has that set;
optional: without a C compiler the install goes on without them).
``load_library()`` opens, on first use, the fastest build this CPU can run, as
NumPy's own CPU detection reports its features, or the one ``NNKIT_CPU``
(``avx512``, ``avx2``, ``generic``, ``native``) names; it returns None where none
was built or ``NNKIT_COMPILED=0`` is set, and the NumPy backend then runs the same
computations with NumPy calls. The library is opened under nnkit's thread policy (``nnkit/backend/thread_policy.py``).
"""
import ctypes
import importlib.util
import os

from nnkit.backend import thread_policy
from nnkit.errors import BackendError

#: Build names, fastest first, with the CPU features each needs (NumPy's names).
PATHS = {"native": (), "avx512": ("AVX512F", "AVX512BW", "AVX512DQ", "AVX512VL", "FMA3"),
         "avx2": ("AVX2", "FMA3"), "generic": ()}

_library = None
_path = None
_looked_up = False


def cpu_features():
    """The CPU's features as NumPy detected them (``{"AVX2": True, ...}``)."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__
    except ImportError:                                # NumPy < 2
        from numpy.core._multiarray_umath import __cpu_features__
    return dict(__cpu_features__)


def supported_paths():
    """The builds this CPU can run (whether or not they were built), fastest first."""
    features = cpu_features()
    return [path for path, needs in PATHS.items() if all(features.get(f) for f in needs)]


def built_paths():
    return [path for path in PATHS
            if importlib.util.find_spec(f"nnkit.backend.kernels.cpu_kernels_{path}") is not None]


def selected_path():
    """The build ``load_library`` opened ("avx512", "avx2", "generic", "native") or None."""
    load_library()
    return _path


def load_library():
    """The compiled library (a ``ctypes.CDLL``), or None.

    Raises:
        BackendError: ``NNKIT_CPU`` names a build that is unknown, not built, or needs
            instructions this CPU lacks.
    """
    global _library, _path, _looked_up
    if not _looked_up:
        _looked_up = True
        if os.environ.get("NNKIT_COMPILED", "1") == "0":
            return None
        built, supported = built_paths(), supported_paths()
        forced = os.environ.get("NNKIT_CPU")
        if forced is not None:
            if forced not in PATHS or forced not in built or forced not in supported:
                raise BackendError(f"NNKIT_CPU={forced!r}: the builds here are {built}, and "
                                   f"this CPU runs {supported}")
            candidates = [forced]
        else:
            candidates = [path for path in PATHS if path in built and path in supported]
        if candidates:
            spec = importlib.util.find_spec(f"nnkit.backend.kernels.cpu_kernels_{candidates[0]}")
            _library, _path = thread_policy.open_library(spec.origin), candidates[0]
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


def optional_address(array):
    """``address(array)``, or None (a NULL pointer) for no array."""
    return None if array is None else address(array)


def typed_functions(library, stem, argtypes, restype):
    """``{dtype: function}``: ``library``'s ``<stem>_f32`` and ``<stem>_f64`` (the typed
    headers' float and double versions) under NumPy's float32 and float64, each with
    ``argtypes`` (a list, or a function of the ctypes real type giving one) and ``restype``."""
    import numpy
    functions = {}
    for dtype, suffix, real in ((numpy.float32, "f32", ctypes.c_float),
                                (numpy.float64, "f64", ctypes.c_double)):
        function = getattr(library, f"{stem}_{suffix}")
        function.argtypes = argtypes(real) if callable(argtypes) else argtypes
        function.restype = restype
        functions[numpy.dtype(dtype)] = function
    return functions
