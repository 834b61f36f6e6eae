"""Recurrent inputs that are rows of a table (an Embedding's output), and their projection.

An Embedding's output is ``table[ids]``; the Embedding says so (``remember``). A recurrent
layer whose input is that very array may take its first cell's input projection ``x·W``
from projected rows ``table[id]·W`` instead of a GEMM over every step, while no weight can
change: inside ``weights_fixed`` (a ``predict`` or ``evaluate`` call). It is constant folding
of the Embedding into the projection, done lazily: each id is projected the first time it
occurs, and the rows are kept with the cell for later calls, with copies of the table and
the kernel they came from. At the start of each block the copies are compared with the
current weights (one pass over them, ~1 ms for a 10000 × 128 table); any difference, from
training or an edit in place, discards the rows.

The rows are the same bits as the GEMM's where the backend's matmul computes each output
row on its own (the compiled kernels do; tested). A table whose projection would exceed
``MAX_PROJECTED_BYTES`` is not projected.

Shapes: table ``(V, D)``, ids ``(N, T)``, kernel ``(D, G)`` (G = 4H for an LSTM), packed
ids ``(P,)``, projected rows ``(P, G)``.
"""
import contextlib
import weakref

from nnkit.backend import get_backend

MAX_PROJECTED_BYTES = 256 << 20

_last = None       # (weak reference to an Embedding's last output, table, ids)
_block = None      # the running weights_fixed block (an object; None outside one)


def remember(output, table, ids):
    """Record, inside a ``weights_fixed`` block, that ``output`` is ``table[ids]`` (until the
    next Embedding call or the block's end)."""
    global _last
    if _block is not None:
        _last = (weakref.ref(output), table, ids)


def lookup(x):
    """``(table, ids)`` when ``x`` is the array an Embedding last produced in the running
    ``weights_fixed`` block, else None."""
    entry = _last
    if entry is None or entry[0]() is not x or entry[2].shape != x.shape[:2]:
        return None
    return entry[1], entry[2]


@contextlib.contextmanager
def weights_fixed():
    """A block in which no weight changes (projected rows may be used and kept)."""
    global _block, _last
    outer = _block
    if outer is None:
        _block = object()
    try:
        yield
    finally:
        _block = outer
        if outer is None:
            _last = None


class _Projection:
    """One cell's projected rows of one table, and the weights they were computed from."""

    def __init__(self, xp, table, kernel):
        self.table, self.kernel = table.copy(), kernel.copy()
        self.rows = xp.empty((table.shape[0], kernel.shape[1]), table.dtype)
        self.done = xp.zeros(table.shape[0], bool)
        self.checked_in = None

    def still_valid(self, xp, table, kernel, block):
        """Whether the weights equal the copies (compared once per block)."""
        if self.checked_in is not block:
            if not (self.table.shape == table.shape and self.kernel.shape == kernel.shape and
                    bool(xp.array_equal(self.table, table)) and
                    bool(xp.array_equal(self.kernel, kernel))):
                return False
            self.checked_in = block
        return True


def projected_rows(owner, table, kernel, ids):
    """``table[ids] · kernel`` ``(P, G)`` from ``owner``'s projected rows (projecting the ids
    not seen yet), or None outside a ``weights_fixed`` block or for a table too large."""
    block = _block
    if block is None or table.shape[0] * kernel.shape[1] * table.itemsize > MAX_PROJECTED_BYTES:
        return None
    backend = get_backend()
    xp = backend.xp
    projection = getattr(owner, "_table_projection", None)
    if projection is None or not projection.still_valid(xp, table, kernel, block):
        projection = owner._table_projection = _Projection(xp, table, kernel)
        projection.checked_in = block
    fresh = xp.unique(ids[~projection.done[ids]])
    if fresh.size:
        projection.rows[fresh] = backend.matmul(table.take(fresh, axis=0), kernel)
        projection.done[fresh] = True
    return backend.take_rows(projection.rows, ids)
