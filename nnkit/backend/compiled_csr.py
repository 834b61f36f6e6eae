"""CSR batches and Dense's products with them through the compiled kernels.

The NumPy backend's kernels ``csr_take_rows``, ``csr_matmul`` and
``csr_add_transposed_product`` (``kernels/cpu_kernels.c``, ``kernels/csr_typed.h``),
which ``CSRMatrix`` runs through ``Backend.run_kernel``; CuPy matrices, indices
other than contiguous int64, dtypes other than float32/float64 and installs
without the compiled library take its NumPy way. What they save is
Python-level work: at the LXMLS MLP's batches of 5 bag-of-words rows, the
NumPy way spends ~30 µs a training step in ~30 small array calls (gather the
rows, find their distinct columns, densify over them, two GEMMs); here the
gather is two calls and each product one, reading the entries directly.

Shapes: X ``(N, D)`` with int64 ``indptr (N + 1,)`` and ``indices (nnz,)``,
``data (nnz,)``; dense operands ``(D, U)`` / ``(N, U)``, C-contiguous.
"""
import ctypes

import numpy

from nnkit.backend.kernels import address
from nnkit.errors import InvalidArgumentError

_REALS = (numpy.dtype(numpy.float32), numpy.dtype(numpy.float64))
_INDEX = numpy.dtype(numpy.int64)


class CompiledCSR:
    """The library's CSR entry points, given ``CSRMatrix`` operands.

    Each returns its result, or None, having done nothing, for operands it does
    not take (``Backend``'s kernel convention): above all a matrix that is not a
    host one with C-contiguous int64 indices.
    """

    def __init__(self, library):
        size, pointer = ctypes.c_int64, ctypes.c_void_p
        self._take_indptr = library.csr_take_indptr
        self._take_indptr.argtypes = [size, pointer, size, pointer, pointer]
        self._take_indptr.restype = size
        self._take_rows = library.csr_take_rows
        self._take_rows.argtypes = [size, pointer, size, pointer, pointer, pointer, size, pointer,
                                    pointer, pointer]
        self._take_rows.restype = None
        self._products = {}
        for dtype in _REALS:
            suffix = "f32" if dtype == numpy.float32 else "f64"
            matmul = getattr(library, f"csr_matmul_{suffix}")
            matmul.argtypes = [size, pointer, pointer, pointer, size, size, pointer, pointer]
            matmul.restype = ctypes.c_int
            transposed = getattr(library, f"csr_add_transposed_product_{suffix}")
            transposed.argtypes = [size, pointer, pointer, pointer, size, size, pointer, pointer,
                                   pointer]
            transposed.restype = size
            self._products[dtype] = matmul, transposed

    def take_rows(self, matrix, index):
        """``(data, indices, indptr)`` of rows ``index`` (1-D integers; negative from the end);
        None also where an index is outside ``[-N, N)`` (the NumPy way reports it).

        Raises:
            InvalidArgumentError: a picked row's ``indptr`` decreases.
        """
        if not _host_matrix(matrix):
            return None
        index = numpy.ascontiguousarray(index, dtype=_INDEX)
        k, n = index.size, matrix.shape[0]
        indptr = numpy.empty(k + 1, _INDEX)
        total = self._take_indptr(k, address(index), n, address(matrix.indptr), address(indptr))
        if total == -1:
            return None
        _check(total)
        indices = numpy.empty(total, _INDEX)
        data = numpy.empty(total, matrix.data.dtype)
        self._take_rows(k, address(index), n, address(matrix.indptr), address(matrix.indices),
                        address(matrix.data), data.itemsize, address(indptr), address(indices),
                        address(data))
        return data, indices, indptr

    def matmul(self, matrix, dense):
        """``X · dense`` ``(N, U)``; None where ``dense`` is not a C-contiguous ``(D, U)``
        array of ``X``'s float dtype."""
        if not (_host_matrix(matrix) and self._operand_fits(matrix, dense, matrix.shape[1])):
            return None
        n, units = matrix.shape[0], dense.shape[1]
        out = numpy.empty((n, units), dense.dtype)
        status = self._products[dense.dtype][0](
            n, address(matrix.indptr), address(matrix.indices), address(matrix.data),
            matrix.shape[1], units, address(dense), address(out))
        _check(status)
        return out

    def add_transposed_product(self, matrix, target, dz):
        """``target += Xᵀ · dz``; returns the sorted distinct columns with entries ``(R,)``
        (operands as in ``matmul``)."""
        if not (_host_matrix(matrix) and self._operand_fits(matrix, target, matrix.shape[1])
                and self._operand_fits(matrix, dz, matrix.shape[0])
                and target.shape[1] == dz.shape[1] and target.flags.writeable):
            return None
        changed = numpy.empty(min(matrix.nnz, matrix.shape[1]), _INDEX)
        count = self._products[target.dtype][1](
            matrix.shape[0], address(matrix.indptr), address(matrix.indices),
            address(matrix.data), matrix.shape[1], target.shape[1], address(dz), address(target),
            address(changed))
        _check(count)
        return changed[:count]

    @staticmethod
    def _operand_fits(matrix, array, rows):
        return (isinstance(array, numpy.ndarray) and array.ndim == 2 and array.shape[0] == rows
                and array.dtype == matrix.data.dtype and array.dtype in _REALS
                and array.flags.c_contiguous)


def _host_matrix(matrix):
    """Whether ``matrix`` is on the host with C-contiguous int64 ``indices`` and ``indptr``."""
    arrays = (matrix.data, matrix.indices, matrix.indptr)
    return (isinstance(matrix.data, numpy.ndarray) and matrix.indices.dtype == _INDEX
            and matrix.indptr.dtype == _INDEX and all(a.flags.c_contiguous for a in arrays))


def _check(status):
    """Raise for the kernels' error codes: -1 malformed matrix (products), -2 decreasing indptr
    (row gather), -3 out of memory (product)."""
    if status == -1 or status == -2:
        raise InvalidArgumentError("CSR matrix: malformed (indptr must be non-decreasing and "
                                   "every column index in [0, columns))")
    if status < 0:
        raise MemoryError("compiled CSR product: out of memory")
