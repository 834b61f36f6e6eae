"""A recurrent layer's input that is rows of an Embedding's table, for one inference call.

An Embedding's output is ``table[ids]``. When a recurrent layer reads it directly, its
first cell's input projection ``x·W`` can come from projected rows ``table[id]·W``
instead of a GEMM over every step: each distinct id is projected once and its row
gathered wherever the id occurs. That is constant folding of the Embedding into the
projection, valid while no weight changes: the model's inference plan
(``nnkit.graph.inference_plan``) makes one ``TableInput`` per Embedding → recurrent edge
for one ``predict``/``evaluate`` call and drops it at the call's end. Nothing is kept
between calls or shared between models or threads.

The rows are the same bits as the GEMM's where the backend's matmul computes each output
row on its own (the compiled kernels do; tested). A table whose projection would exceed
``MAX_PROJECTED_BYTES`` is not projected.

Shapes: table ``(V, D)``, ids ``(N, T)``, kernel ``(D, G)`` (G = 4H for an LSTM), packed
ids ``(P,)``, projected rows ``(P, G)``.
"""
from nnkit.backend import get_backend

MAX_PROJECTED_BYTES = 256 << 20


class TableInput:
    """The node's input is ``table[ids]``; the rows projected so far in this call.

    Args:
        table: the Embedding's weights ``(V, D)``.
        ids: the token ids ``(N, T)`` of the batch being run.
        projections: ``{cell: Projection}`` of this edge, shared by the call's batches (a
            Bidirectional layer's two directions project with their own kernels).
    """

    def __init__(self, table, ids, projections):
        self.table, self.ids, self.projections = table, ids, projections

    def projected_rows(self, cell, kernel, packed_ids):
        """``table[packed_ids] · kernel`` ``(P, G)`` for ``cell``'s input kernel, or None for a
        table too large."""
        projection = self.projections.get(cell)
        if projection is None:
            projection = self.projections[cell] = Projection()
        return projection.rows(self.table, kernel, packed_ids)


class Projection:
    """``table[id] · kernel`` for the ids seen so far in one call (one table, one kernel)."""

    def __init__(self):
        self.rows_of = self.done = None

    def rows(self, table, kernel, ids):
        """``table[ids] · kernel`` ``(P, G)`` for ids ``(P,)``, projecting the ids not seen yet."""
        if table.shape[0] * kernel.shape[1] * table.itemsize > MAX_PROJECTED_BYTES:
            return None
        backend = get_backend()
        xp = backend.xp
        if self.rows_of is None:
            self.rows_of = xp.empty((table.shape[0], kernel.shape[1]), table.dtype)
            self.done = xp.zeros(table.shape[0], bool)
        fresh = xp.unique(ids[~self.done[ids]])
        if fresh.size:
            self.rows_of[fresh] = backend.matmul(table.take(fresh, axis=0), kernel)
            self.done[fresh] = True
        return backend.take_rows(self.rows_of, ids)
