"""One thread policy for nnkit's OpenMP kernels and NumPy's BLAS (OpenBLAS).

Both libraries take all cores by default; ``OMP_NUM_THREADS`` sets the count of both (an
``OPENBLAS_NUM_THREADS`` of its own overrides it for OpenBLAS). Python calls one library
at a time, so they take turns; what made them collide were their *idle* threads. After a
parallel region libgomp's threads busy-wait ~300,000 turns of a spin loop (milliseconds)
before they sleep, and OpenBLAS's workers spin for 2^28 cycles (~0.1 s); a call of the
other library made in that time shares the cores with spinning threads, and a 0.6 ms
product took 2–4 ms (``benchmarks/matmul.py --interleaved``). nnkit shortens both waits
to a few tens or hundreds of µs, long enough to bridge the calls of one layer:

- ``GOMP_SPINCOUNT`` = ``GOMP_SPIN_TURNS`` while libgomp starts (when the kernels are
  opened, ``open_library``);
- ``OPENBLAS_THREAD_TIMEOUT`` = ``OPENBLAS_TIMEOUT_LOG2`` (2^16 cycles) while OpenBLAS
  starts, i.e. when ``import nnkit`` imports NumPy (``import_numpy``). Where NumPy was
  imported before nnkit, OpenBLAS has started already: set the variable yourself.

Each variable is set only for the start of its library and removed again (child
processes do not inherit it), and never when the user chose one (``OMP_WAIT_POLICY``,
``GOMP_SPINCOUNT``, ``OPENBLAS_THREAD_TIMEOUT``) or set ``NNKIT_THREAD_POLICY=0``.
"""
import contextlib
import ctypes
import os

#: libgomp's busy-wait before an idle thread sleeps, in turns of its spin loop.
GOMP_SPIN_TURNS = "10000"
#: OpenBLAS's busy-wait before an idle worker sleeps: 2 ** this many CPU cycles.
OPENBLAS_TIMEOUT_LOG2 = "16"


def enabled():
    return os.environ.get("NNKIT_THREAD_POLICY", "1") != "0"


@contextlib.contextmanager
def _set_while(name, value, unless=()):
    """Set environment variable ``name`` for the block, unless the user set it or ``unless``."""
    apply = enabled() and not any(n in os.environ for n in (name, *unless))
    if apply:
        os.environ[name] = value
    try:
        yield
    finally:
        if apply:
            del os.environ[name]


def import_numpy():
    """Import NumPy (starting its OpenBLAS) under the policy; a no-op once it is imported."""
    with _set_while("OPENBLAS_THREAD_TIMEOUT", OPENBLAS_TIMEOUT_LOG2):
        import numpy  # noqa: F401


def open_library(filename):
    """``ctypes.CDLL(filename)``, libgomp (its dependency) starting under the policy."""
    with _set_while("GOMP_SPINCOUNT", GOMP_SPIN_TURNS, unless=("OMP_WAIT_POLICY",)):
        return ctypes.CDLL(filename)
