"""Matrix products of the NumPy backend through the compiled kernel (``kernels/gemm_typed.h``).

Used for the recurrent layers' large products (the input projection of all
steps, the weight gradients, ``dx``). On AVX-512 machines it runs ~2x the
rate of the OpenBLAS that NumPy wheels ship (which uses its AVX2 kernel
there), and it shares its threads with the compiled LSTM loop instead of
competing with OpenBLAS's.
"""
import ctypes

import numpy

from nnkit.backend.kernels import address

_NAMES = {numpy.dtype(numpy.float32): "matmul_f32", numpy.dtype(numpy.float64): "matmul_f64"}


class CompiledMatmul:
    """Kernel ``matmul(a, b, out=None)``: ``a · b`` for 2-D arrays, into ``out`` when given.

    Shapes: a ``(M, K)``, b ``(K, N)``, out ``(M, N)`` C-contiguous. ``a`` and
    ``b`` may be any strided views (a transpose needs no copy). Returns the
    product, or None for other dtypes or layouts (``Backend.matmul`` then calls
    ``numpy.matmul``).
    """

    def __init__(self, library):
        size, pointer = ctypes.c_int64, ctypes.c_void_p
        self._functions = {}
        for dtype, name in _NAMES.items():
            function = getattr(library, name)
            function.argtypes = [size, size, size, pointer, size, size, pointer, size, size,
                                 pointer, size]
            function.restype = ctypes.c_int
            self._functions[dtype] = function

    def __call__(self, a, b, out=None):
        function = self._functions.get(a.dtype)
        a_strides, b_strides = _element_strides(a), _element_strides(b)
        if (function is None or b.dtype != a.dtype or a.ndim != 2 or b.ndim != 2
                or a.shape[1] != b.shape[0] or a_strides is None or b_strides is None
                or (out is not None and not (out.dtype == a.dtype and out.flags.c_contiguous))):
            return None
        m, k = a.shape
        n = b.shape[1]
        if out is None:
            out = numpy.empty((m, n), a.dtype)
        elif out.shape != (m, n):
            raise ValueError(f"matmul: out has shape {out.shape}, expected {(m, n)}")
        if m and n and function(m, k, n, address(a), *a_strides, address(b), *b_strides,
                                address(out), n) != 0:
            raise MemoryError("compiled matmul: out of memory for the packed right operand")
        if not k:
            out.fill(0)
        return out


def _element_strides(array):
    """``array``'s strides in elements, or None when they are not positive multiples of its item size."""
    size = array.itemsize
    if array.ndim != 2 or any(s <= 0 or s % size for s in array.strides):
        return None
    return tuple(s // size for s in array.strides)
