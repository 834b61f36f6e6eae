"""Keep freed host memory for reuse: far fewer page faults from NumPy's large temporaries.

Opt-in, since it changes the C library's settings for the whole process: call
``nnkit.backend.keep_freed_memory()``, or set ``NNKIT_KEEP_FREED_MEMORY=1`` and
the NumPy backend calls it when it starts. ``NNKIT_KEEP_FREED_MEMORY=0`` makes
either a no-op (to measure a script that opts in without it).

A training step allocates and frees tens of MB of temporaries (embedded batches,
packed sequences, gate and state buffers, gradients). With glibc's default,
adaptive thresholds, freed memory at the top of the heap goes back to the OS
as soon as a few MB are free, and the largest arrays get fresh ``mmap``s, so
every batch touches new pages again: IMDB-LSTM training and prediction at
(64, 200) took 210,000-470,000 page faults in one test run (~25,000 with the
thresholds below) and ran 15-30 % slower. Raising the two thresholds keeps up
to ``TRIM_THRESHOLD`` of freed memory in the process; the peak RSS of
``benchmarks/memory.py`` does not change. The thresholds are left alone where
the user sets glibc's ``MALLOC_*`` variables or malloc tunables.
"""
import os
import sys

#: ``mallopt`` parameter numbers of glibc's <malloc.h>.
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
#: Arrays below this size come from the heap instead of their own ``mmap``.
MMAP_THRESHOLD = 64 << 20
#: Free memory kept at the top of the heap before it is returned to the OS.
TRIM_THRESHOLD = 256 << 20

#: ``1``: the NumPy backend keeps freed memory from its start; ``0``: never.
VARIABLE = "NNKIT_KEEP_FREED_MEMORY"
#: Environment variables through which a user sets glibc's thresholds themselves.
USER_MALLOC_SETTINGS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_")

_applied = None


def keep_freed_memory():
    """Raise glibc's mmap and trim thresholds for this process, once.

    Returns:
        True where the thresholds were set (Linux with glibc), False elsewhere
        (another OS or C library, ``NNKIT_KEEP_FREED_MEMORY=0``, or malloc
        settings of the user's own in the environment).
    """
    global _applied
    if _applied is None:
        _applied = _set_thresholds()
    return _applied


def keep_freed_memory_if_asked():
    """``keep_freed_memory()`` where ``NNKIT_KEEP_FREED_MEMORY=1`` asks for it, else False
    (the NumPy backend calls this when it starts)."""
    return os.environ.get(VARIABLE) == "1" and keep_freed_memory()


def _set_thresholds():
    if os.environ.get(VARIABLE) == "0" or not sys.platform.startswith("linux"):
        return False
    if any(name in os.environ for name in USER_MALLOC_SETTINGS) or \
            "glibc.malloc" in os.environ.get("GLIBC_TUNABLES", ""):
        return False  # the user tunes malloc already: theirs wins
    import ctypes
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the interpreter already uses
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and \
        bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
