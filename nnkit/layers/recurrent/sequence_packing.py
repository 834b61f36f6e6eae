"""Packed sequences: the index bookkeeping that lets a recurrent loop skip padding.

Each row's valid steps are gathered left-aligned and rows are sorted by length,
longest first, so at packed step ``r`` exactly the first ``k_r`` (sorted) rows
are still running: the batch shrinks as sequences end. Packed row
``offsets[r] + j`` holds step ``r`` of sorted row ``j``; the packed layout is
time-major, so a step's rows are one contiguous slice. This is exact for any
mask, holes included, because a masked step only carries the state forward.

State buffers hold ``P + N`` rows: the ``P`` packed steps, then the ``N``
initial states (sorted), so "the previous step" of step 0 is an ordinary row.

All indices are computed once per batch on the host (the only host sync is
reading the mask) and moved to the backend; those only backward or dropout
needs are computed on first use, so inference skips them.
"""
import collections
import functools

import numpy

from nnkit.backend import get_backend

#: Host arrays the lazily computed indices start from: the (row, time) of each valid
#: step, its packed step and packed row, each row's sorted slot, and ``carry``.
_HostEntries = collections.namedtuple("_HostEntries", "rows times step packed slot carry")


class PackedBatch:
    """Where every valid step of an ``(N, T)`` batch lives in packed order.

    Args:
        mask: boolean ``(N, T)`` (True = real step) or None (all steps real).
        n, t: batch size N and padded length T.
        go_backwards: process each row's valid steps last to first; outputs
            are then in reversed time order (output position ``s`` is input
            time ``T - 1 - s``).

    Attributes (host): ``batch_sizes`` (k_r per packed step), ``offsets``
    (first packed row of each step, plus the total P at the end), as lists and
    as int64 arrays ``step_sizes``, ``step_offsets``; ``total`` P.

    Attributes (backend index arrays):
        order ``(N,)``: original row of each sorted row; slot ``(N,)``: its inverse.
        source ``(P,)``: flat input position ``n·T + t`` of each packed row.
        output_position ``(P,)``: flat output position of each packed row.
        sorted_row ``(P,)``: sorted row ``j`` of each packed row.
        previous ``(P,)``: state-buffer row of the step before (``P + j`` for step 0).
        final ``(N,)``: state-buffer row of each original row's last step.
        carry ``(N·T,)``: state-buffer row whose state is the output at each
            output position (the last valid step at or before it).
        run_start, run_length, run_target (in ``_masked_runs``): the runs of masked
            output positions sharing one carried state (consecutive positions of one
            row): first position, length, and that state row.
        output_position, sorted_row, previous and ``_masked_runs`` are computed on
        first use.
    """

    def __init__(self, mask, n, t, go_backwards=False):
        backend = get_backend()
        valid = (numpy.ones((n, t), bool) if mask is None
                 else numpy.asarray(backend.to_numpy(mask), bool))
        if go_backwards:
            valid = valid[:, ::-1]
        lengths = valid.sum(axis=1)
        order = numpy.argsort(-lengths, kind="stable")
        slot = numpy.empty(n, numpy.int64)
        slot[order] = numpy.arange(n)
        steps = int(lengths.max()) if n else 0
        # k_r = rows longer than r = N − (rows of length ≤ r)
        self.step_sizes = n - numpy.cumsum(numpy.bincount(lengths, minlength=steps + 1))[:steps]
        self.step_offsets = offsets = numpy.zeros(steps + 1, numpy.int64)
        numpy.cumsum(self.step_sizes, out=offsets[1:])
        self.batch_sizes, self.offsets = self.step_sizes.tolist(), offsets.tolist()
        self.total = total = self.offsets[-1]

        rank = numpy.cumsum(valid, axis=1) - 1            # rank of the last valid step ≤ s
        rows, times = numpy.nonzero(valid)
        step = rank[rows, times]
        packed = offsets[step] + slot[rows]
        input_time = t - 1 - times if go_backwards else times
        source = numpy.empty(total, numpy.int64)
        source[packed] = rows * t + input_time
        final = numpy.where(lengths > 0, offsets[numpy.maximum(lengths - 1, 0)], total) + slot
        carry = (numpy.where(rank >= 0, offsets[numpy.maximum(rank, 0)], total)
                 + slot[:, None]).ravel()

        self.n, self.t = n, t
        self.valid_mask = valid
        self._host = _HostEntries(rows, times, step, packed, slot, carry)
        to = backend.asarray
        self.order, self.slot = to(order), to(slot)
        self.source, self.final, self.carry = to(source), to(final), to(carry)

    # Indices only backward or dropout needs, computed on first use (not in inference).
    def _scattered(self, values):
        """``values`` of every valid (row, time) entry placed at its packed row, on the backend."""
        out = numpy.empty(self.total, numpy.int64)
        out[self._host.packed] = values
        return get_backend().asarray(out)

    @functools.cached_property
    def output_position(self):
        return self._scattered(self._host.rows * self.t + self._host.times)

    @functools.cached_property
    def sorted_row(self):
        return self._scattered(self._host.slot[self._host.rows])

    @functools.cached_property
    def previous(self):
        host, offsets = self._host, self.step_offsets
        return self._scattered(numpy.where(host.step > 0, offsets[numpy.maximum(host.step - 1, 0)],
                                           self.total) + host.slot[host.rows])

    @functools.cached_property
    def _masked_runs(self):
        """``(run_start, run_length, run_target)`` on the backend."""
        masked_position = numpy.flatnonzero(~self.valid_mask.ravel())
        targets = self._host.carry[masked_position]
        run_start = numpy.flatnonzero(numpy.r_[True, targets[1:] != targets[:-1]]) \
            if masked_position.size else masked_position
        to = get_backend().asarray
        return (to(masked_position[run_start]),
                to(numpy.diff(run_start, append=masked_position.size)), to(targets[run_start]))

    def step_rows(self, r):
        """Row slices of packed step ``r`` and of its previous step: ``(current, previous)``."""
        k = self.batch_sizes[r]
        start = self.offsets[r]
        previous_start = self.offsets[r - 1] if r else self.total
        return slice(start, start + k), slice(previous_start, previous_start + k)

    def pack(self, x):
        """``(N, T, D)`` → ``(P, D)``: the valid steps in packed order (one gather)."""
        return x.reshape(self.n * self.t, -1).take(self.source, axis=0)

    def unpack(self, packed):
        """``(P, D)`` → ``(N, T, D)`` with zeros at masked steps (the inverse of ``pack``)."""
        xp = get_backend().xp
        out = xp.zeros((self.n * self.t, packed.shape[1]), packed.dtype)
        out[self.source] = packed
        return out.reshape(self.n, self.t, -1)

    def sequence_output(self, states):
        """``(P + N, H)`` state rows → ``(N, T, H)`` outputs, carried over masked steps."""
        return states.take(self.carry, axis=0).reshape(self.n, self.t, -1)

    def add_sequence_output_grad(self, d_states, dy):
        """Route ``dy (N, T, H)`` back into ``d_states (P + N, H)`` (the inverse of ``sequence_output``).

        A valid position feeds its own packed row; each run of masked positions
        feeds the one state it carried (``Backend.add_run_sums``).
        """
        dy = dy.reshape(self.n * self.t, -1)
        d_states[:self.total] += dy.take(self.output_position, axis=0)
        run_start, run_length, run_target = self._masked_runs
        get_backend().add_run_sums(d_states, run_target, dy, run_start, run_length)
