"""A recurrent layer's input that is rows of an Embedding's table, for one inference call.

An Embedding's output is ``table[ids]``. When a recurrent layer reads it directly, its
first cell's input projection ``x·W`` can come from projected rows ``table[id]·W``
instead of a GEMM over every step: each distinct id is projected once and its row
gathered wherever the id occurs. That is constant folding of the Embedding into the
projection, valid while no weight changes: the model's inference plan
(``nnkit.layers.inference_plan``) makes one ``TableInput`` per Embedding → recurrent edge
for one ``predict``/``evaluate`` call and drops it at the call's end.

The projected rows themselves are kept by the model (its ``ProjectionStore``, one
``Projection`` per cell) with copies of the table and kernel they came from; the first
batch of each call compares those copies with the current weights (one pass, ~1 ms for a
10000 × 128 table) and any difference — training, ``set_weights``, an edit in place —
starts a new ``Projection``. Nothing lives in a module or on a layer, so models never see
each other's rows; calls of one model from several threads share its store under a lock
and write the same bits into it.

The rows are the same bits as the GEMM's where the backend's matmul computes each output
row on its own (the compiled kernels do; tested). A table whose projection would exceed
``MAX_PROJECTED_BYTES`` is not projected.

Shapes: table ``(V, D)``, ids ``(N, T)``, kernel ``(D, G)`` (G = 4H for an LSTM), packed
ids ``(P,)``, projected rows ``(P, G)``.
"""
import threading

from nnkit.backend import get_backend

MAX_PROJECTED_BYTES = 256 << 20


class TableInput:
    """The node's input is ``table[ids]``; the projections this call has checked.

    Args:
        table: the Embedding's weights ``(V, D)``.
        ids: the token ids ``(N, T)`` of the batch being run.
        checked: ``{cell: Projection}`` of this edge in this call (a Bidirectional layer's
            two directions project with their own kernels).
        store: the model's ``ProjectionStore``.
    """

    def __init__(self, table, ids, checked, store):
        self.table, self.ids, self.checked, self.store = table, ids, checked, store

    def projected_rows(self, cell, kernel, packed_ids):
        """``table[packed_ids] · kernel`` ``(P, G)`` for ``cell``'s input kernel, or None for a
        table too large."""
        if self.table.shape[0] * kernel.shape[1] * self.table.itemsize > MAX_PROJECTED_BYTES:
            return None
        projection = self.checked.get(cell)
        if projection is None:            # the call's first batch: compare with the weights
            projection = self.checked[cell] = self.store.projection(cell, self.table, kernel)
        return projection.rows(packed_ids)


class ProjectionStore:
    """A model's projected rows across its inference calls: per cell, the ``Projection`` of
    the weights it last saw."""

    def __init__(self):
        self._by_cell = {}
        self._lock = threading.Lock()

    def projection(self, cell, table, kernel):
        """``cell``'s Projection of ``table`` and ``kernel``: the kept one when it was made from
        equal weights, else a new one (kept from now on)."""
        with self._lock:
            kept = self._by_cell.get(cell)
            if kept is None or not kept.made_from(table, kernel):
                kept = self._by_cell[cell] = Projection(table, kernel)
            return kept


class Projection:
    """``table[id] · kernel`` for the ids projected so far, with copies of the weights used."""

    def __init__(self, table, kernel):
        xp = get_backend().xp
        self.table, self.kernel = table.copy(), kernel.copy()
        self.rows_of = xp.empty((table.shape[0], kernel.shape[1]), table.dtype)
        self.done = xp.zeros(table.shape[0], bool)

    def made_from(self, table, kernel):
        """Whether ``table`` and ``kernel`` equal the weights these rows came from."""
        xp = get_backend().xp
        return (self.table.shape == table.shape and self.kernel.shape == kernel.shape and
                self.table.dtype == table.dtype and bool(xp.array_equal(self.table, table))
                and bool(xp.array_equal(self.kernel, kernel)))

    def rows(self, ids):
        """``table[ids] · kernel`` ``(P, G)`` for ids ``(P,)``, projecting the ids not seen yet
        (two threads may project one id at once: both write the same bits)."""
        backend = get_backend()
        xp = backend.xp
        fresh = xp.unique(ids[~self.done[ids]])
        if fresh.size:
            self.rows_of[fresh] = backend.matmul(self.table.take(fresh, axis=0), self.kernel)
            self.done[fresh] = True
        return backend.take_rows(self.rows_of, ids)
