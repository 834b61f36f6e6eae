"""Row-sparse gradient updates of the NumPy backend through the compiled kernels.

``Backend.add_to_rows`` and ``zero_rows`` touch the few hundred rows of a
gradient or weight that a batch of bag-of-words rows or token ids reaches.
With NumPy each is a gather, an add and a fancy-index write (~8 µs for 685
rows of 20 floats, ~6 µs to zero them); here one call (~1 µs), a loop over
the rows (``kernels/rows_typed.h``, ``zero_rows`` in ``kernels/cpu_kernels.c``).

Shapes: target ``(V, ...)`` C-contiguous, rows ``(R,)`` distinct, delta ``(R, ...)``.
"""
import ctypes

import numpy

from nnkit.backend.kernels import address

_INDEX = numpy.dtype(numpy.int64)


class CompiledRows:
    """The library's row entry points.

    Each returns False, having done nothing, for operands it does not take.
    """

    def __init__(self, library):
        size, pointer = ctypes.c_int64, ctypes.c_void_p
        self._zero = library.zero_rows
        self._zero.argtypes = [size, pointer, size, size, pointer]
        self._zero.restype = ctypes.c_int
        self._add = {}
        for dtype, suffix in ((numpy.float32, "f32"), (numpy.float64, "f64")):
            function = getattr(library, f"add_to_rows_{suffix}")
            function.argtypes = [size, pointer, size, size, pointer, pointer]
            function.restype = ctypes.c_int
            self._add[numpy.dtype(dtype)] = function

    def zero_rows(self, target, rows):
        """``target[rows] = 0``."""
        rows = self._rows(target, rows)
        if rows is None:
            return False
        row_bytes = target.itemsize * (target.size // target.shape[0])
        _check(self._zero(rows.size, address(rows), target.shape[0], row_bytes, address(target)))
        return True

    def add_to_rows(self, target, rows, delta):
        """``target[rows] += delta`` (float32 / float64, delta C-contiguous, same dtype)."""
        rows = self._rows(target, rows)
        function = self._add.get(target.dtype)
        if (rows is None or function is None or not isinstance(delta, numpy.ndarray)
                or delta.dtype != target.dtype or not delta.flags.c_contiguous
                or delta.shape != rows.shape + target.shape[1:]):
            return False
        width = target.size // target.shape[0]
        _check(function(rows.size, address(rows), target.shape[0], width, address(delta),
                        address(target)))
        return True

    @staticmethod
    def _rows(target, rows):
        """``rows`` as contiguous int64; None where ``target`` is not writable and C-contiguous."""
        if not (isinstance(target, numpy.ndarray) and target.ndim >= 1 and target.shape[0]
                and target.flags.c_contiguous and target.flags.writeable
                and isinstance(rows, numpy.ndarray) and rows.ndim == 1
                and rows.dtype.kind in "iu"):
            return None
        return rows if rows.dtype == _INDEX and rows.flags.c_contiguous else \
            numpy.ascontiguousarray(rows, _INDEX)


def _check(status):
    if status != 0:
        raise IndexError("row update: a row index is outside the array")
