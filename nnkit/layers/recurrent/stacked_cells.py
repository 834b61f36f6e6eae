"""StackedCells: several recurrent cells run in one time loop (theano-lstm's StackedCells)."""
from nnkit import activations, validation
from nnkit.errors import InvalidArgumentError, ShapeError, describe
from nnkit.layers.recurrent.cell import cell_class
from nnkit.layers.recurrent.gated_input import GatedInput
from nnkit.layers.recurrent.gru import GRUCell
from nnkit.layers.recurrent.lstm import LSTMCell
from nnkit.layers.recurrent.recurrent_layer import RecurrentLayer
from nnkit.layers.recurrent.rnn import RNNCell
from nnkit.registry import register_layer



@register_layer
class StackedCells(RecurrentLayer):
    """A stack of cells stepped together, with dropout between layers and a step API.

    Cell ``l`` reads cell ``l - 1``'s output at the same step. All cells run in
    one loop over time, so a ``"gated_input"`` cell can read the state of the
    cell above it at the previous step (see ``GatedInput``); its size entry in
    ``layers`` is that state size and must equal the next entry. The output is
    the top cell's ``h``.

    Args:
        input_size: input feature size D.
        layers: state size of each cell, bottom first.
        celltype: "lstm", "gru" (reset_after=True), "rnn", "gated_input" or the
            ``celltype`` of a registered custom cell; one for all layers or one per layer.
        activation: of RNN cells and of the LSTM and GRU candidates.
        dropout: inverted dropout on the input of every cell above the first,
            one mask per sequence reused at every step (Gal & Ghahramani).
        return_sequences, return_state, go_backwards: see ``RecurrentLayer``;
            states are listed bottom first (an LSTM cell gives h then c).

    Shapes:
        x: ``(N, T, D)``; y: ``(N, T, H_top)`` or ``(N, H_top)``.
        params: ``"cell_<l>/kernel"``, ``"cell_<l>/recurrent_kernel"``,
        ``"cell_<l>/bias"`` (the cells' own arrays).

    Example:
        >>> stack = StackedCells(2, layers=[32, 32], celltype="lstm")
        >>> states = stack.initial_state(4)
        >>> y, states = stack.step(np.zeros((4, 2)), states)   # y: (4, 32)
    """

    prefix_params = True
    regularizable = ()

    def __init__(self, input_size, layers, celltype="lstm", activation="tanh", dropout=0.0,
                 return_sequences=False, return_state=False, go_backwards=False, **kwargs):
        layers = list(validation.integers("StackedCells", "layers", layers))
        super().__init__(return_sequences, return_state, go_backwards,
                         [0.0] + [dropout] * (len(layers) - 1), [0.0] * len(layers), **kwargs)
        input_size = validation.positive_int(self.where, "input_size", input_size)
        if self.input_shape is None:            # input_size fixes it (no user warning)
            self.input_shape = (None, input_size)
        celltypes = [celltype] * len(layers) if isinstance(celltype, str) else list(celltype)
        if len(celltypes) != len(layers):
            raise InvalidArgumentError(
                f"layer '{self.name}' (StackedCells): expected a non-empty `layers` and one "
                f"celltype or one per layer, received layers={layers}, celltype={celltype!r}")
        for kind in celltypes:
            cell_class(kind)                 # unknown celltypes fail here, with the known ones
        for index, kind in enumerate(celltypes):
            above = index + 1
            if kind == "gated_input" and (above == len(layers) or celltypes[above] == "gated_input"
                                          or layers[above] != layers[index]):
                raise InvalidArgumentError(
                    f"layer '{self.name}' (StackedCells): a gated_input cell reads the state of "
                    f"the lstm/gru/rnn cell above it, so layers[{index}] must equal layers[{above}]; "
                    f"received layers={layers}, celltype={celltypes}")
        self.input_size, self.layers, self.celltype = input_size, layers, celltype
        self.celltypes = celltypes
        self.activation = activations.get_inplace(activation, f"layer '{self.name}': activation")
        self.dropout = validation.rate(self.where, "dropout", dropout)
        self.build((None, self.input_size))

    def make_cells(self):
        activation = self.activation.name
        make = {"lstm": lambda size: LSTMCell(size, activation, name=self.name),
                "gru": lambda size: GRUCell(size, activation, name=self.name),
                "rnn": lambda size: RNNCell(size, activation, name=self.name),
                "gated_input": lambda size: GatedInput(size, name=self.name)}
        return [make[kind](size) if kind in make else cell_class(kind)(size, name=self.name)
                for kind, size in zip(self.celltypes, self.layers)]

    def initial_state(self, batch_size):
        """Zero states for ``step``: a list of ``(N, H)`` arrays, bottom cell first."""
        return [self.xp.zeros((batch_size, size), self.dtype) for _, _, size in self.state_slots]

    def step(self, x_t, states):
        """Advance every cell one step (inference, no dropout).

        Args:
            x_t: ``(N, D)`` inputs of this step.
            states: list from ``initial_state`` or a previous ``step``.

        Returns:
            ``(y_t, new_states)``: the top cell's ``(N, H_top)`` output and the new states.
        """
        x_t = self._convert_dense(x_t)
        if len(x_t.shape) != 2 or x_t.shape[1] != self.input_size:
            raise ShapeError(f"layer '{self.name}' (StackedCells): step expected x_t of shape "
                             f"(N, {self.input_size}), received {describe(x_t)}")
        return self.run(x_t[:, None, :], False, None, states, False)

    def get_config(self):
        return {**super().get_config(), "input_size": self.input_size, "layers": self.layers,
                "celltype": self.celltype, "activation": self.activation.name,
                "dropout": self.dropout}
