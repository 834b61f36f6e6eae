"""Row-sparse gradient updates of the NumPy backend through the compiled kernels.

``Backend.add_to_rows`` and ``zero_rows`` touch the few hundred rows of a
gradient or weight that a batch of bag-of-words rows or token ids reaches.
With NumPy each is a gather, an add and a fancy-index write (~8 µs for 685
rows of 20 floats, ~6 µs to zero them); here one call (~1 µs), a loop over
the rows (``kernels/rows_typed.h``, ``zero_rows`` in ``kernels/cpu_kernels.c``).
``scatter_add_rows`` (an Embedding's backward) adds each of M rows into its
target row in one pass, repeated rows in order, instead of sorting and summing runs.

Shapes: target ``(V, ...)`` C-contiguous, rows ``(R,)`` distinct, delta ``(R, ...)``;
index ``(M,)`` and values ``(M, ...)`` for ``scatter_add_rows``.
"""
import ctypes

import numpy

from nnkit.backend.kernels import address

_INDEX = numpy.dtype(numpy.int64)


class CompiledRows:
    """The library's row entry points, the kernels ``take_rows`` ... ``scatter_add_rows``.

    Each returns its result (the in-place ones: ``target``), or None, having done
    nothing, for operands it does not take (``Backend``'s kernel convention).
    """

    def __init__(self, library):
        size, pointer = ctypes.c_int64, ctypes.c_void_p
        self._zero = library.zero_rows
        self._zero.argtypes = [size, pointer, size, size, pointer]
        self._zero.restype = ctypes.c_int
        self._take = library.take_rows
        self._take.argtypes = [size, pointer, size, size, pointer, pointer]
        self._take.restype = ctypes.c_int
        self._add, self._scatter, self._runs = {}, {}, {}
        for dtype, suffix in ((numpy.float32, "f32"), (numpy.float64, "f64")):
            function = getattr(library, f"add_to_rows_{suffix}")
            function.argtypes = [size, pointer, size, size, pointer, pointer]
            function.restype = ctypes.c_int
            self._add[numpy.dtype(dtype)] = function
            function = getattr(library, f"scatter_add_rows_{suffix}")
            function.argtypes = [size, pointer, size, size, pointer, pointer, pointer]
            function.restype = size
            self._scatter[numpy.dtype(dtype)] = function
            function = getattr(library, f"add_run_sums_{suffix}")
            function.argtypes = [size] + [pointer] * 3 + [size] * 3 + [pointer] * 2
            function.restype = ctypes.c_int
            self._runs[numpy.dtype(dtype)] = function

    def zero_rows(self, target, rows):
        """``target[rows] = 0``."""
        rows = row_index(target, rows)
        if rows is None:
            return None
        row_bytes = target.itemsize * (target.size // target.shape[0])
        _check(self._zero(rows.size, address(rows), target.shape[0], row_bytes, address(target)))
        return target

    def take_rows(self, source, rows):
        """``source.take(rows, axis=0)`` on both threads."""
        rows = row_index(source, rows)
        if rows is None:
            return None
        out = numpy.empty(rows.shape + source.shape[1:], source.dtype)
        row_bytes = source.itemsize * (source.size // source.shape[0])
        _check(self._take(rows.size, address(rows), source.shape[0], row_bytes,
                          address(source), address(out)))
        return out

    def add_to_rows(self, target, rows, delta):
        """``target[rows] += delta`` (float32 / float64, delta C-contiguous, same dtype)."""
        rows = row_index(target, rows)
        function = self._add.get(target.dtype)
        if (rows is None or function is None or not isinstance(delta, numpy.ndarray)
                or delta.dtype != target.dtype or not delta.flags.c_contiguous
                or delta.shape != rows.shape + target.shape[1:]):
            return None
        width = target.size // target.shape[0]
        _check(function(rows.size, address(rows), target.shape[0], width, address(delta),
                        address(target)))
        return target

    def add_run_sums(self, target, rows, values, starts, lengths):
        """``target[rows[j]] += values[starts[j]:starts[j] + lengths[j]].sum(0)``."""
        rows = row_index(target, rows)
        function = self._runs.get(target.dtype)
        if (rows is None or function is None or not isinstance(values, numpy.ndarray)
                or values.dtype != target.dtype or not values.flags.c_contiguous
                or values.shape[1:] != target.shape[1:]):
            return None
        starts, lengths = (numpy.ascontiguousarray(a, _INDEX) for a in (starts, lengths))
        _check(function(rows.size, address(rows), address(starts), address(lengths),
                        target.shape[0], target.size // target.shape[0], values.shape[0],
                        address(values), address(target)))
        return target

    def scatter_add_rows(self, target, index, values):
        """``target[index[i]] += values[i]`` (repeats summed); the sorted distinct rows changed."""
        index = row_index(target, index)
        function = self._scatter.get(target.dtype)
        if (index is None or function is None or not isinstance(values, numpy.ndarray)
                or values.dtype != target.dtype or not values.flags.c_contiguous
                or values.shape != index.shape + target.shape[1:]):
            return None
        rows = numpy.empty(min(index.size, target.shape[0]), _INDEX)
        count = function(index.size, address(index), target.shape[0],
                         target.size // target.shape[0], address(values), address(target),
                         address(rows))
        _check(0 if count >= 0 else -1)
        return rows[:count]


def row_index(target, rows):
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
