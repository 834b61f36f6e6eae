"""The one time loop every recurrent layer runs: a stack of cells over packed steps.

Forward: the first cell's input projection for all valid steps is ONE GEMM;
each step then adds ``r_{t-1} · recurrent_kernel`` for the ``k_t`` rows still
running and lets every cell of the stack activate in place, writing into
preallocated packed buffers (no allocation inside the loop).

Backward: the loop runs the steps in reverse, cells top to bottom. Gradients
of a previous state are *added* into the packed gradient buffer of the step
before, which is processed later, so ``dh_next`` needs no buffer of its own.
After the loop each cell's weight gradients are one GEMM over all steps
(``dW = Xᵀ·dZ``, ``dU = Rᵀ·dZ``) and the first cell's ``dx`` is one GEMM.

A stack of one cell whose backend has a compiled loop for it
(``Cell.compiled_loop``: the NumPy backend's LSTM) runs all steps in one call
instead, in the same buffers; the GEMMs around the loop are the same.

Shapes: N batch, P valid steps in the batch, D input size, H state size.
"""
from nnkit import profiling
from nnkit.backend import get_backend


class _Level:
    """One cell of the stack with its packed buffers for the current batch."""

    def __init__(self, cell, index):
        self.cell, self.index = cell, index
        self.source = index + 1 if cell.reads_layer_above else index
        self.x = self.z = self.states = self.d = None
        self.input_mask = self.recurrent_mask = None


class TimeLoop:
    """Run ``cells`` (bottom first) over ``batch``; keep what ``backward`` needs.

    Args:
        cells: list of built cells; cell ``l + 1`` takes cell ``l``'s output.
        batch: the ``PackedBatch`` of this forward pass.
    """

    def __init__(self, cells, batch):
        self.batch = batch
        self.levels = [_Level(cell, i) for i, cell in enumerate(cells)]

    @property
    def xp(self):
        return get_backend().xp

    def forward(self, x_packed, initial_states, input_masks, recurrent_masks, table_rows=None):
        """Run all steps.

        Args:
            x_packed: ``(P, D)`` the first cell's inputs in packed order.
            initial_states: per cell, ``{state name: (N, H)}`` in sorted row order.
            input_masks: per cell, a keep-mask ``(N, D_l)`` (sorted rows) for its
                input, or None; one mask per sequence, reused at every step.
            recurrent_masks: per cell, a keep-mask ``(N, R_l)`` for its recurrent input, or None.
            table_rows: ``(TableInput, packed ids (P,))`` when ``x_packed`` is ``table[ids]``
                (in an inference call): the first cell's input projection then comes from
                projected table rows (``nnkit.layers.table_input``).
        """
        backend, batch = get_backend(), self.batch
        xp = backend.xp
        total, n, dtype = batch.total, batch.n, x_packed.dtype
        self.compiled = self.levels[0].cell.compiled_loop(dtype) if len(self.levels) == 1 else None
        for level, init, keep_x, keep_r in zip(self.levels, initial_states, input_masks,
                                               recurrent_masks):
            cell = level.cell
            level.input_mask, level.recurrent_mask = keep_x, keep_r
            level.weights = cell.forward_weights()
            level.states = {name: xp.empty((total + n, width), dtype)
                            for name, width in cell.buffer_widths().items()}
            for name in cell.state_names:
                level.states[name][total:] = init[name]
            level.z = None if level.index == 0 else xp.empty((total, cell.width), dtype)
            if level.index == 0:
                level.x = x_packed if keep_x is None else x_packed * keep_x.take(batch.sorted_row, axis=0)
            else:
                below = self.levels[level.index - 1]
                level.x = (below.states[below.cell.output_name] if keep_x is None
                           else xp.empty((total + n, cell.input_size), dtype))
        bottom = self.levels[0]
        kernel, recurrent_kernel, bias = bottom.weights
        with profiling.section(None, "input projection"):
            if table_rows is not None and bottom.input_mask is None:
                table_input, ids = table_rows
                bottom.z = table_input.projected_rows(bottom.cell, kernel, ids)
            if bottom.z is None:
                bottom.z = backend.matmul(bottom.x, kernel)
        if self.compiled:                       # it adds the bias itself
            with profiling.section(None, "loop"):
                self.compiled.forward(batch, bottom.z, bias, bottom.states, recurrent_kernel,
                                      bottom.recurrent_mask)
            return
        with profiling.section(None, "loop"):
            self._steps_forward(bottom, bias)

    def _steps_forward(self, bottom, bias):
        """The step-by-step loop (no compiled loop for this stack)."""
        xp, batch = self.xp, self.batch
        n, dtype = batch.n, bottom.z.dtype
        bottom.z += bias
        for level in self.levels:
            cell = level.cell
            level.scratch = {"r": xp.empty((n, cell.recurrent_size), dtype),
                             "z": xp.empty((n, cell.width), dtype),
                             "x": xp.empty((n, cell.input_size), dtype),
                             "x_work": xp.empty((n, cell.input_size), dtype),
                             "recurrent_keep": level.recurrent_mask,
                             **cell.make_scratch(n, dtype)}
        for r in range(len(batch.batch_sizes)):
            rows, prev_rows = batch.step_rows(r)
            for level in self.levels:
                self._step_forward(level, rows, prev_rows)

    def _step_forward(self, level, rows, prev_rows):
        xp, cell = self.xp, level.cell
        k = rows.stop - rows.start
        kernel, recurrent_kernel, bias = level.weights
        z = level.z[rows]
        if level.index > 0:
            if level.input_mask is not None:
                below = self.levels[level.index - 1]
                xp.multiply(below.states[below.cell.output_name][rows], level.input_mask[:k],
                            out=level.x[rows])
            xp.matmul(level.x[rows], kernel, out=z)
            z += bias
        recurrent = self.levels[level.source].states["h"][prev_rows]
        if level.recurrent_mask is not None:
            recurrent = xp.multiply(recurrent, level.recurrent_mask[:k], out=level.scratch["r"][:k])
        step_z = level.scratch["z"][:k]
        xp.matmul(recurrent, recurrent_kernel, out=step_z)
        z += step_z
        cell.step_forward(z, level.x[rows],
                          {name: level.states[name][prev_rows] for name in cell.state_names},
                          {name: buffer[rows] for name, buffer in level.states.items()},
                          level.scratch)

    def begin_backward(self):
        """Allocate the zeroed gradient buffers ``level.d`` (name → ``(P + N, width)``).

        The caller then adds the output's and final states' gradients into the
        top (and any) level's ``d`` before calling ``backward``.
        """
        xp = self.xp
        for level in self.levels:
            names = dict.fromkeys(level.cell.state_names + (level.cell.output_name,))
            level.d = {name: xp.zeros_like(level.states[name]) for name in names}
            level.backward_weights = level.cell.backward_weights()
            if self.compiled:
                continue
            # per-step GEMMs take contiguous transposes (a transposed view is ~7x slower at
            # small k); the bottom kernel's only GEMM is over all steps (after the loop)
            kernel, recurrent_kernel = level.backward_weights
            level.backward_weights_t = (None if level.index == 0 else
                                        xp.ascontiguousarray(kernel.T),
                                        xp.ascontiguousarray(recurrent_kernel.T))

    def backward(self):
        """Run the steps in reverse and add every cell's weight gradients.

        Returns:
            ``(dx_packed, initial_state_grads)``: ``(P, D)`` and, per cell,
            ``{state name: (N, H)}`` in sorted row order.
        """
        backend, batch = get_backend(), self.batch
        xp, bottom = backend.xp, self.levels[0]
        with profiling.section(None, "loop"):
            if self.compiled:
                self.compiled.backward(batch, bottom.z, bottom.states, bottom.d,
                                       bottom.backward_weights[1], bottom.recurrent_mask)
            else:
                for r in reversed(range(len(batch.batch_sizes))):
                    rows, prev_rows = batch.step_rows(r)
                    for level in reversed(self.levels):
                        self._step_backward(level, rows, prev_rows)
        total = batch.total
        with profiling.section(None, "weight gradients"):
            for level in self.levels:
                dz = level.z
                recurrent = self.levels[level.source].states["h"].take(batch.previous, axis=0)
                if level.recurrent_mask is not None:
                    recurrent *= level.recurrent_mask.take(batch.sorted_row, axis=0)
                level.cell.add_grads(backend.matmul(level.x[:total].T, dz),
                                     backend.matmul(recurrent.T, dz), dz.sum(axis=0))
        with profiling.section(None, "input gradient"):
            dx = backend.matmul(bottom.z, bottom.backward_weights[0].T)
            bottom.cell.add_direct_input_grad(
                {name: b[:total] for name, b in bottom.states.items()},
                {name: b[:total] for name, b in bottom.d.items()}, dx, xp.empty_like(dx))
            if bottom.input_mask is not None:
                dx *= bottom.input_mask.take(batch.sorted_row, axis=0)
        initial_grads = [{name: level.d[name][total:] for name in level.cell.state_names}
                         for level in self.levels]
        return dx, initial_grads

    def _step_backward(self, level, rows, prev_rows):
        xp, cell = self.xp, level.cell
        k = rows.stop - rows.start
        z = level.z[rows]
        cell.step_backward(z, level.x[rows],
                           {name: level.states[name][prev_rows] for name in cell.state_names},
                           {name: buffer[rows] for name, buffer in level.states.items()},
                           {name: buffer[rows] for name, buffer in level.d.items()},
                           {name: level.d[name][prev_rows] for name in cell.state_names},
                           level.scratch)
        kernel_t, recurrent_kernel_t = level.backward_weights_t
        d_recurrent = xp.matmul(z, recurrent_kernel_t, out=level.scratch["r"][:k])
        if level.recurrent_mask is not None:
            d_recurrent *= level.recurrent_mask[:k]
        self.levels[level.source].d["h"][prev_rows] += d_recurrent
        if level.index > 0:
            dx = xp.matmul(z, kernel_t, out=level.scratch["x"][:k])
            cell.add_direct_input_grad({name: b[rows] for name, b in level.states.items()},
                                       {name: b[rows] for name, b in level.d.items()},
                                       dx, level.scratch["x_work"][:k])
            if level.input_mask is not None:
                dx *= level.input_mask[:k]
            below = self.levels[level.index - 1]
            below.d[below.cell.output_name][rows] += dx
