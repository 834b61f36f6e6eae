"""DataParallel: synchronous data-parallel training over MPI (``mpiexec -n 4 python train.py``).

The semantics ChainerMN and Horovod give, on mpi4py (the ``mpi`` extra; imported only
when a DataParallel is made, never by ``import nnkit``):

- At the start of ``fit`` rank 0's weights, optimizer state and generator state are
  broadcast, so every rank starts identical.
- Every global batch of ``batch_size`` rows (drawn from the shared generator, so the
  order is identical everywhere) is split into ``size`` contiguous parts; each rank runs
  forward and backward on its part.
- Each output's loss gradient is scaled by ``local normaliser / global normaliser``
  (the normalisers — examples, or valid steps under a mask — summed in one small
  all-reduce), and the regularisers' gradient is added on rank 0 only, so the *sum* of
  the ranks' gradients is exactly the single-process gradient of the global batch.
- The gradients are summed in one fused all-reduce of a flat float buffer, in the
  model's fixed parameter order, so every rank applies the same update. Row-sparse
  gradients (Embedding, Dense on CSR input) are reduced on the union of the rows the
  ranks touched when that is smaller than the matrix.
- After each global batch the increments of the running loss and metric sums (training
  and validation) are added over the ranks, so every rank logs the global values and
  EarlyStopping & co. decide alike everywhere.
- Only rank 0 shows progress bars and runs the callbacks that write files
  (``writes_files``: ModelCheckpoint, CSVLogger, TensorBoard, BackupAndRestore saves);
  BackupAndRestore still restores on every rank.
- Dropout masks differ per rank: after each shuffle, rank r draws from the shared
  stream jumped r times (PCG64's ``jumped``).
- An exception on one rank prints the rank's error and aborts every rank
  (``MPI.Abort``), so no rank waits forever in a collective.

Without ``mpiexec`` (or without mpi4py installed) it runs as one process: rank 0 of 1.
"""
import sys
import traceback

import numpy

from nnkit import random
from nnkit.backend import get_backend
from nnkit.models.split_source import SplitSource
from nnkit.models.strategy import LocalStrategy


class _SingleProcess:
    """The communicator of a run without MPI: every collective is the identity."""

    rank, size = 0, 1

    def Allreduce(self, send, receive):  # noqa: N802 (MPI's names)
        receive[...] = send

    def bcast(self, value, root=0):
        return value

    def allgather(self, value):
        return [value]


def _communicator(comm):
    if comm is not None:
        return comm
    try:
        from mpi4py import MPI
    except ImportError:
        return _SingleProcess()
    return MPI.COMM_WORLD


class DataParallel(LocalStrategy):
    """Data-parallel training across the processes of an MPI job.

    Args:
        comm: an mpi4py communicator (default ``MPI.COMM_WORLD``; one process when
            mpi4py is not installed).

    Attributes:
        rank, size, is_chief: this process's rank, the number of ranks, rank == 0.
        bytes_sent: bytes this rank has put into all-reduces (the communication model's
            count: each all-reduce of ``b`` bytes counts ``b``).

    Example:
        >>> dp = nnkit.distributed.DataParallel()
        >>> model.fit(x, y, batch_size=64, distribute=dp)   # mpiexec -n 4 python train.py
    """

    def __init__(self, comm=None):
        self.comm = _communicator(comm)
        self.rank, self.size = int(self.comm.rank), int(self.comm.size)
        self.is_chief = self.rank == 0
        self.bytes_sent = 0
        self._shared_state = None

    # ---- data -------------------------------------------------------------------------
    def local_rows(self, index):
        """This rank's contiguous part of a global batch's row indices (maybe empty)."""
        return numpy.array_split(numpy.asarray(index), self.size)[self.rank]

    # ---- generator streams -------------------------------------------------------------
    def shared_stream(self, draw):
        """``draw()`` with the generator in the shared state (identical on every rank); then
        switch this rank to its own stream: the shared one jumped ``rank`` times."""
        if self._shared_state is not None:
            random.set_state(self._shared_state)
        result = draw()
        self._shared_state = random.get_state()
        self._own_stream()
        return result

    def restart_streams(self, state):
        """Resume from a checkpoint: ``state`` (rank 0's saved generator) becomes the shared
        stream, and each rank's own stream is derived from it again."""
        self._shared_state = state
        self._own_stream()

    def _own_stream(self):
        """Move this rank's generator from the shared state to its own: jumped ``rank`` times."""
        if self.rank:
            random.set_state(random.generator().bit_generator.jumped(self.rank).state)

    # ---- collectives -----------------------------------------------------------------
    def allreduce(self, values):
        """Sum a float host array over the ranks, in its own precision (float64 for other
        types); returns the sum and counts the bytes."""
        values = numpy.asarray(values)
        values = numpy.ascontiguousarray(values, dtype=values.dtype if values.dtype.kind == "f"
                                         else "float64")
        total = numpy.empty_like(values)
        self.comm.Allreduce(values, total)
        self.bytes_sent += values.nbytes
        return total

    # ---- the fit loop's hooks (``nnkit.models.strategy``) ------------------------------
    def prepare_fit(self, model, source, validation):
        """Every rank starts from rank 0's state; batches are split over the ranks."""
        self.broadcast_start(model)
        return (SplitSource(source, self),
                None if validation is None else SplitSource(validation, self))

    def compute_gradients(self, model, xs, ys, sws):
        """This rank's part of the global batch, its loss gradient scaled by its share of the
        normaliser; the gradients then summed over the ranks."""
        if xs[0].shape[0] == 0:                 # a global batch smaller than the ranks
            self.loss_scales(None, len(model.losses))
            self.reduce_gradients(model)
            return 0.0, None
        value, batch = model._forward_loss(xs, ys, sws, True)
        model.backward_loss(self.loss_scales(batch, len(model.losses)), penalty=self.is_chief)
        self.reduce_gradients(model)
        return value, batch

    def broadcast_start(self, model):
        """Rank 0's weights, optimizer state and generator state, on every rank."""
        backend = get_backend()
        weights = self.comm.bcast([backend.to_numpy(w) for w in model.get_weights()]
                                  if self.is_chief else None)
        model.set_weights(weights)
        if model.optimizer is not None:
            params = model.named_parameters()
            state = model.optimizer.get_state()
            state = self.comm.bcast({"iterations": state["iterations"], "slots": {
                name: {slot: backend.to_numpy(value) for slot, value in slots.items()}
                for name, slots in state["slots"].items()}} if self.is_chief else None)
            model.optimizer.set_state(state, params)
        self._shared_state = self.comm.bcast(random.get_state() if self.is_chief else None)
        random.set_state(self._shared_state)

    def loss_scales(self, batch, outputs):
        """Per output, ``local normaliser / global normaliser`` (0 for an empty local part)."""
        local = numpy.array([entry[4] for entry in batch.outputs] if batch else [0.0] * outputs)
        total = self.allreduce(local)
        return [float(mine / whole) if whole else 0.0 for mine, whole in zip(local, total)]

    def reduce_gradients(self, model):
        """Sum every rank's gradients in place: row-sparse ones on the union of their rows
        when that is cheaper, the rest in one fused all-reduce."""
        backend = get_backend()
        grads = model.named_gradients()
        rows = model.named_gradient_rows()
        dense = []
        for name, grad in grads.items():
            if name in rows and self._reduce_rows(model, name, grad, rows[name]):
                continue
            dense.append((name, grad))
        if not dense:
            return
        flat = numpy.concatenate([backend.to_numpy(g).ravel() for _, g in dense])
        total = self.allreduce(flat)
        offset = 0
        for name, grad in dense:
            size = grad.size
            grad[...] = backend.asarray(total[offset:offset + size].reshape(grad.shape),
                                        dtype=grad.dtype)
            offset += size
            if name in rows:
                _set_grad_rows(model, name, None)

    def _reduce_rows(self, model, name, grad, rows):
        """Reduce ``grad`` on the union of the ranks' rows; False when dense is cheaper."""
        backend = get_backend()
        local = numpy.asarray(backend.to_numpy(rows), dtype="int64")
        union = numpy.unique(numpy.concatenate(self.comm.allgather(local)))
        self.bytes_sent += local.nbytes
        row_size = grad.size // max(grad.shape[0], 1)
        if 2 * union.size * row_size >= grad.size:
            return False
        device_rows = backend.asarray(union)
        total = self.allreduce(backend.to_numpy(grad[device_rows]))
        grad[device_rows] = backend.asarray(total, dtype=grad.dtype)
        _set_grad_rows(model, name, device_rows)
        return True

    def track(self, tracker, batch):
        """Add one global batch to ``tracker``: this rank's part (``batch``, None when empty)
        and the others', in one all-reduce of the sums' increments; every rank's tracker then
        holds the global running loss and metrics (and a checkpoint of rank 0's is whole)."""
        before = _tracker_sums(tracker)
        if batch is not None:
            tracker.update(batch)
        _set_tracker_sums(tracker, before + self.allreduce(_tracker_sums(tracker) - before))

    def abort_on_error(self, error):
        """Print this rank's error and end every rank of the job (no rank hangs)."""
        if self.size == 1:
            return
        sys.stderr.write(f"nnkit.distributed: rank {self.rank} of {self.size} failed:\n"
                         + "".join(traceback.format_exception(error)))
        sys.stderr.flush()
        self.comm.Abort(1)


def _tracker_parts(tracker):
    """``[(object, attribute)]`` of every running sum of ``tracker``, in a fixed order."""
    parts = [(tracker, "penalty_sum")]
    for output in tracker.outputs:
        parts += [(output, "loss_sum"), (output, "count")]
        parts += [(metric, key) for metric in output.metrics for key in metric.state_names]
    return parts


def _tracker_sums(tracker):
    return numpy.concatenate([numpy.ravel(numpy.asarray(getattr(owner, key), dtype="float64"))
                              for owner, key in _tracker_parts(tracker)])


def _set_tracker_sums(tracker, flat):
    offset = 0
    for owner, key in _tracker_parts(tracker):
        value = getattr(owner, key)
        size = numpy.size(value)
        part = flat[offset:offset + size]
        setattr(owner, key, part.reshape(numpy.shape(value)).copy()
                if isinstance(value, numpy.ndarray) else float(part[0]))
        offset += size


def _set_grad_rows(model, name, rows):
    """Record on the owning layer that ``name``'s gradient is zero outside ``rows`` (None:
    unknown, after a dense reduction)."""
    layer_name, key = name.split("/", 1)
    layer = model.get_layer(layer_name)
    if getattr(layer, "is_model", False):
        _set_grad_rows(layer, key, rows)
    elif rows is None:
        layer.grad_rows.pop(key, None)
    else:
        layer.grad_rows[key] = rows
