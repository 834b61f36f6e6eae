"""CSR matrices as three arrays: the sparse input path of ``Dense``.

Bag-of-words inputs are ~1 % non-zero. ``CSRMatrix`` keeps SciPy's CSR layout
in plain arrays (NumPy on the host, CuPy on the GPU) and gives exactly what
training needs, with no SciPy on the hot path: a batch of rows, ``X · W``, and
``Xᵀ · dZ`` added into the rows of a gradient that the batch touches (the
other rows of ``W``'s gradient stay zero). Each first offers the backend's
kernel (``csr_take_rows``, ``csr_matmul``, ``csr_add_transposed_product``: on
the NumPy backend where the compiled kernels were built, one call that reads
the entries once, ``compiled_csr``). Otherwise both products densify the batch over its
distinct columns (``compact``) and run one small GEMM: at batch 5 of the
LXMLS data, 5 × ~620 columns instead of 5 × 13,989.

Shapes: X ``(N, D)`` with ``nnz`` stored entries: ``data (nnz,)``,
``indices (nnz,)`` (the column of each entry), ``indptr (N + 1,)`` (row ``i``
holds entries ``indptr[i]:indptr[i + 1]``); int64 indices (``from_matrix``
converts SciPy's int32 ones).
"""
import numpy

from nnkit.backend import get_backend
from nnkit.errors import InvalidArgumentError

#: Largest dense ``(rows, distinct columns)`` block the products build (4 M numbers).
COMPACT_BUDGET = 1 << 22


def is_sparse(x):
    """Whether ``x`` is a ``CSRMatrix`` or a SciPy / CuPy sparse matrix."""
    return isinstance(x, CSRMatrix) or (hasattr(x, "tocsr") and hasattr(x, "nnz"))


class CSRMatrix:
    """A 2-D CSR matrix whose arrays all live in one array module ``xp``."""

    ndim = 2

    def __init__(self, data, indices, indptr, shape, entry_rows=None):
        self.data, self.indices, self.indptr = data, indices, indptr
        self.shape = (int(shape[0]), int(shape[1]))
        self._entry_rows = entry_rows
        self._compact = self._block_cache = None

    @classmethod
    def from_matrix(cls, matrix, backend=None):
        """Convert a SciPy / CuPy sparse matrix (or move a ``CSRMatrix``) onto ``backend``.

        ``backend=None`` keeps host matrices on the host (what fit's data
        pipeline holds); layers pass the current backend.
        """
        if not isinstance(matrix, CSRMatrix):
            matrix = matrix.tocsr()
            if not getattr(matrix, "has_canonical_format", True):  # repeated (row, column)
                matrix = matrix.copy()
                matrix.sum_duplicates()
        elif backend is None or backend.is_array(matrix.data):
            return matrix
        move = numpy.asarray if backend is None else backend.asarray
        return cls(move(matrix.data), move(matrix.indices, dtype="int64"),
                   move(matrix.indptr, dtype="int64"), matrix.shape)

    @property
    def xp(self):
        """The array module of ``data`` (numpy or cupy)."""
        return numpy if isinstance(self.data, numpy.ndarray) else get_backend().xp

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def nnz(self):
        return int(self.data.size)

    @property
    def entry_rows(self):
        """``(nnz,)`` the row of each stored entry."""
        if self._entry_rows is None:
            xp = self.xp
            self._entry_rows = xp.searchsorted(self.indptr[1:], xp.arange(self.nnz),
                                               side="right")
        return self._entry_rows

    def astype(self, dtype):
        return CSRMatrix(self.data.astype(dtype, copy=False), self.indices, self.indptr,
                         self.shape, self._entry_rows)

    def __getitem__(self, index):
        """Rows ``index`` (a slice or a 1-D integer array) as a new ``CSRMatrix``."""
        xp, n = self.xp, self.shape[0]
        if isinstance(index, slice):
            start, stop, step = index.indices(n)
            if step == 1:
                stop = max(start, stop)
                low, high = int(self.indptr[start]), int(self.indptr[stop])
                return CSRMatrix(self.data[low:high], self.indices[low:high],
                                 self.indptr[start:stop + 1] - low, (stop - start, self.shape[1]))
            index = range(start, stop, step)
        index = xp.asarray(index)
        if index.ndim != 1 or index.dtype.kind not in "iu":
            raise InvalidArgumentError(f"CSR rows: expected a slice or a 1-D integer index, "
                                       f"received {index.dtype} {tuple(index.shape)}")
        picked = get_backend().run_kernel("csr_take_rows", self, index)
        if picked is not None:
            return CSRMatrix(*picked, (index.size, self.shape[1]))
        if index.size and not -n <= int(index.min()) <= int(index.max()) < n:
            raise InvalidArgumentError(f"CSR rows: indices must be in [-{n}, {n}) for a matrix "
                                       f"of {n} rows, received {int(index.min())}.."
                                       f"{int(index.max())}")
        index = xp.where(index < 0, index + n, index)
        starts = self.indptr[index]
        indptr = xp.zeros(index.size + 1, self.indptr.dtype)
        xp.cumsum(self.indptr[index + 1] - starts, out=indptr[1:])
        entries = xp.arange(int(indptr[-1]))
        rows = xp.searchsorted(indptr[1:], entries, side="right")
        positions = entries + (starts - indptr[:-1])[rows]
        return CSRMatrix(self.data[positions], self.indices[positions], indptr,
                         (index.size, self.shape[1]), rows)

    def __matmul__(self, dense):
        """``X · dense``: ``(N, D) · (D, U) → (N, U)`` (NumPy way: a small GEMM per row block)."""
        product = get_backend().run_kernel("csr_matmul", self, dense)
        if product is not None:
            return product
        xp = self.xp
        outputs = []
        for block in self._blocks():
            columns, compact = block.compact()
            outputs.append(compact @ dense.take(columns, axis=0))
        return outputs[0] if len(outputs) == 1 else xp.concatenate(outputs)

    def add_transposed_product(self, target, dz):
        """``target += Xᵀ · dz`` for ``dz (N, U)`` and ``target (D, U)``.

        Returns the sorted distinct rows of ``target`` that changed ``(R,)``.
        """
        changed = get_backend().run_kernel("csr_add_transposed_product", self, target, dz)
        if changed is not None:
            return changed
        xp, start, changed = self.xp, 0, []
        for block in self._blocks():
            columns, compact = block.compact()
            get_backend().add_to_rows(target, columns, compact.T @ dz[start:start + block.shape[0]])
            start += block.shape[0]
            changed.append(columns)
        return changed[0] if len(changed) == 1 else xp.unique(xp.concatenate(changed))

    def compact(self):
        """``(columns (C,), X[:, columns] (N, C))``: X on its C distinct columns, dense.

        Densifying a batch over the columns it uses turns both products into
        small GEMMs. Computed once per matrix (forward and backward share it).
        """
        if self._compact is None:
            xp = self.xp
            # xp.unique(indices, return_inverse=True), without its overhead (~2x at this size)
            order = self.indices.argsort()
            ordered = self.indices[order]
            first = xp.ones(ordered.size, bool)
            xp.not_equal(ordered[1:], ordered[:-1], out=first[1:])
            columns = ordered[first]
            position = xp.empty_like(order)
            position[order] = first.cumsum() - 1
            compact = xp.zeros((self.shape[0], columns.size), self.dtype)
            compact[self.entry_rows, position] = self.data  # canonical CSR: (row, column) once
            self._compact = columns, compact
        return self._compact

    def _blocks(self):
        """Row blocks whose ``compact`` form holds at most ``COMPACT_BUDGET`` numbers."""
        n = self.shape[0]
        rows = max(1, COMPACT_BUDGET // max(1, min(self.shape[1], self.nnz)))
        if rows >= n:
            return [self]
        if self._block_cache is None:
            self._block_cache = [self[start:start + rows] for start in range(0, n, rows)]
        return self._block_cache
