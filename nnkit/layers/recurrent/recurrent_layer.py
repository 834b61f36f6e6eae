"""RecurrentLayer: what RNN, LSTM and StackedCells share around the time loop.

It packs the batch (``PackedBatch``), draws the per-sequence dropout masks,
places the initial states, runs the ``TimeLoop`` and turns packed states into
outputs (carried over masked steps) and back into gradients.
"""
from nnkit import profiling, validation
from nnkit.backend import get_backend
from nnkit.errors import ShapeError, describe
from nnkit.layers.base import Layer
from nnkit.layers.dropout import dropout_mask
from nnkit.layers.recurrent.sequence_packing import PackedBatch
from nnkit.layers.recurrent.state_inputs import StateInputs, sequence_mask, sequence_shape
from nnkit.layers.recurrent.stateful import CarriedStates
from nnkit.layers.recurrent.time_loop import TimeLoop


class RecurrentLayer(StateInputs, CarriedStates, Layer):
    """Base of recurrent layers; a subclass supplies ``make_cells()``.

    Args:
        return_sequences: output every step ``(N, T, H)`` instead of the last
            valid one ``(N, H)``.
        return_state: also return the final states (``[y, h]`` or ``[y, h, c]``);
            ``backward`` then takes ``[dy, dh, dc]`` (None entries allowed).
        go_backwards: process the valid steps last to first; with
            ``return_sequences`` the outputs are in reversed time order (Keras).
        input_dropout: per cell, the dropout rate of its input (one mask per sequence).
        recurrent_dropout: per cell, the dropout rate of its recurrent input.
        stateful: each call starts from the previous call's final states
            (``nnkit.layers.recurrent.stateful``).

    Call kwargs:
        initial_state: list of ``(N, H)`` arrays, one per state (default zeros, or
            the carried states when stateful). After ``backward``,
            ``initial_state_grads`` holds their gradients. On symbolic tensors the
            states are graph inputs (``nnkit.layers.recurrent.state_inputs``); so is a
            list input ``[x, *initial_states]``.

    Masks: a masked step carries the states unchanged and outputs the carried
    ``h``; it gets no input or weight gradient. A row with no valid step
    outputs its initial state (zeros by default).
    """

    supports_masking = True
    input_ranks = (3,)
    prefix_params = False
    regularizable = ("kernel", "recurrent", "bias")

    def __init__(self, return_sequences=False, return_state=False, go_backwards=False,
                 input_dropout=(0.0,), recurrent_dropout=(0.0,), stateful=False, **kwargs):
        super().__init__(**kwargs)
        self.init_stateful(stateful)
        self.return_sequences = validation.flag(self.where, "return_sequences", return_sequences)
        self.return_state = validation.flag(self.where, "return_state", return_state)
        self.go_backwards = validation.flag(self.where, "go_backwards", go_backwards)
        self.input_rates = [validation.rate(self.where, "dropout", r) for r in input_dropout]
        self.recurrent_rates = [validation.rate(self.where, "recurrent_dropout", r)
                                for r in recurrent_dropout]
        self.cells = []
        self.initial_state_grads = None

    def make_cells(self):
        """The (unbuilt) cells, bottom first."""
        raise NotImplementedError

    def build(self, input_shape):
        input_shape = sequence_shape(input_shape)
        self.cells = self.make_cells()
        size = input_shape[-1]
        for index, cell in enumerate(self.cells):
            cell.build(size, self.dtype)
            size = cell.output_size
            prefix = f"cell_{index}/" if self.prefix_params else ""
            for key in cell.params:
                self.params[prefix + key] = cell.params[key]
                self.grads[prefix + key] = cell.grads[key]
        super().build(input_shape)

    @property
    def state_slots(self):
        """``(cell index, state name, size)`` of every carried state, in ``initial_state`` order."""
        return [(i, name, cell.units) for i, cell in enumerate(self.cells)
                for name in cell.state_names]

    def state_sizes(self):
        return [size for _, _, size in self.state_slots]

    @property
    def output_size(self):
        return self.cells[-1].output_size

    def example_output_shape(self, input_shape):
        input_shape = sequence_shape(input_shape)
        size = (self.cells or self.make_cells())[-1].units       # unbuilt: the cells to be
        return (input_shape[0], size) if self.return_sequences else (size,)

    def output_shapes(self, input_shape):
        """``[y]``, or ``[y, *states]`` with ``return_state`` (each state ``(H,)``)."""
        states = [(size,) for _, _, size in self.state_slots] if self.return_state else []
        return [self.example_output_shape(input_shape), *states]

    def compute_mask(self, x, mask):
        mask = sequence_mask(mask)
        if mask is None or not self.return_sequences:
            return None
        return mask[:, ::-1] if self.go_backwards else mask

    takes_table_input = True

    def forward(self, x, training=False, mask=None, initial_state=None, table_input=None):
        """``table_input``: given by a model's inference plan when ``x`` is an Embedding's
        output (``nnkit.layers.table_input.TableInput``)."""
        if initial_state is None:
            initial_state = self.carried_initial_state(x.shape[0])
        y, finals = self.run(x, training, mask, initial_state, self.return_sequences,
                             table_input)
        self.keep_final_states(finals)
        return [y, *finals] if self.return_state else y

    def run(self, x, training, mask, initial_state, return_sequences, table_input=None):
        """Run the loop; return ``(output, final states)`` (a list in ``initial_state`` order)."""
        n, t = x.shape[0], x.shape[1]
        with profiling.section(None, "packing"):
            batch = PackedBatch(mask, n, t, self.go_backwards)
            x_packed = batch.pack(x)
            table_rows = None if table_input is None else (
                table_input, table_input.ids.reshape(-1).take(batch.source))
        initial = [{} for _ in self.cells]
        for (index, name, _), state in zip(self.state_slots,
                                           self._initial_states(initial_state, n, x.dtype)):
            initial[index][name] = state[batch.order]
        loop = TimeLoop(self.cells, batch)
        loop.forward(x_packed, initial, *self._dropout_masks(training, n, x.dtype, batch),
                     table_rows=table_rows)
        top = loop.levels[-1]
        top_states = top.states[top.cell.output_name]
        with profiling.section(None, "outputs"):
            y = batch.sequence_output(top_states) if return_sequences else \
                top_states[batch.final]
            finals = [loop.levels[index].states[name][batch.final]
                      for index, name, _ in self.state_slots]
        if training:
            self._cache = {"loop": loop, "sequences": return_sequences}
        return y, finals

    def _initial_states(self, initial_state, n, dtype):
        backend = get_backend()
        slots = self.state_slots
        if initial_state is None:
            return [backend.xp.zeros((n, size), dtype) for _, _, size in slots]
        states = list(initial_state)
        expected = [(n, size) for _, _, size in slots]
        received = [tuple(getattr(s, "shape", ())) for s in states]
        if received != expected:
            raise ShapeError(f"layer '{self.name}' ({type(self).__name__}): expected "
                             f"initial_state shapes {expected} (N, H), received "
                             f"{[describe(s) for s in states]}")
        return [backend.asarray(s, dtype=dtype) for s in states]

    def _dropout_masks(self, training, n, dtype, batch):
        def draw(rates, sizes):
            return [dropout_mask((n, size), rate, dtype)[batch.order]
                    if training and rate > 0 else None for rate, size in zip(rates, sizes)]
        return (draw(self.input_rates, [cell.input_size for cell in self.cells]),
                draw(self.recurrent_rates, [cell.recurrent_size for cell in self.cells]))

    def backward(self, dy):
        cache, self._cache = self._cache, None
        loop, sequences = cache["loop"], cache["sequences"]
        batch = loop.batch
        dy, d_finals = (dy[0], list(dy[1:])) if self.return_state else (dy, [])
        with profiling.section(None, "output gradients"):
            loop.begin_backward()
            top = loop.levels[-1]
            d_top = top.d[top.cell.output_name]
            if sequences:
                batch.add_sequence_output_grad(d_top, dy)
            else:
                d_top[batch.final] += dy
            for (index, name, _), d_final in zip(self.state_slots, d_finals):
                if d_final is not None:
                    loop.levels[index].d[name][batch.final] += d_final
        dx_packed, initial_grads = loop.backward()
        self.initial_state_grads = [initial_grads[index][name][batch.slot]
                                    for index, name, _ in self.state_slots]
        with profiling.section(None, "packing"):
            dx = batch.unpack(dx_packed) if self.needs_input_grad else None
        return [dx, *self.initial_state_grads] if cache.get("states_were_inputs") else dx

    def get_config(self):
        config = {**super().get_config(), "return_sequences": self.return_sequences,
                  "return_state": self.return_state, "go_backwards": self.go_backwards}
        if self.stateful:
            config["stateful"] = True
        return config
