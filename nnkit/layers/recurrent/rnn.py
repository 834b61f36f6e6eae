"""RNN: the simple (Elman) recurrent layer, ``h_t = act(x_t·W + h_{t-1}·U + b)``."""
from nnkit import activations, validation
from nnkit.layers.recurrent.cell import (Cell, initializer_arguments, initializer_config,
                                         set_initializers)
from nnkit.layers.recurrent.recurrent_layer import RecurrentLayer
from nnkit.registry import CELLS, LAYERS, register_cell, register_layer


@register_cell
class RNNCell(Cell):
    """Step of a simple RNN; the step cache is the activated ``h_t`` itself.

    Shapes: kernel ``(D, H)``, recurrent_kernel ``(H, H)``, bias ``(H,)``.
    """

    celltype = "rnn"

    def __init__(self, units, activation="tanh", name="cell", **weight_initializers):
        super().__init__(units, name, **weight_initializers)
        self.activation = activations.get_inplace(activation, f"layer '{name}': activation")

    def make_scratch(self, n, dtype):
        return {"slope": self._xp.empty((n, self.units), dtype)}

    def step_forward(self, z, x, prev, cur, scratch):
        self.activation.forward_(self._xp, z)
        cur["h"][...] = z

    def step_backward(self, z, x, prev, cur, d_cur, d_prev, scratch):
        slope = scratch["slope"][:z.shape[0]]
        self.activation.derivative_(self._xp, z, slope)
        self._xp.multiply(d_cur["h"], slope, out=z)

    def get_config(self):
        return {**super().get_config(), "activation": self.activation.name,
                **initializer_config(self)}


@register_layer
class RNN(RecurrentLayer):
    """Fully connected recurrent layer ``h_t = act(x_t·W + h_{t-1}·U + b)``, or any cell.

    ``RNN(units)`` is Keras's ``SimpleRNN`` (also available under that name: the
    same class; configs naming either load). ``RNN(cell)`` runs a cell object,
    as Keras's ``RNN(cell)`` does: a built-in one or a custom ``Cell`` subclass
    registered with ``@nnkit.register_cell`` (see ``nnkit.layers.recurrent.cell``
    and ``examples/custom_cell_peephole.py``).

    Args:
        units: state size H, or a ``Cell`` instance.
        activation: "tanh" (default), "sigmoid", "relu" or "linear" (simple RNN only).
        kernel_initializer, recurrent_initializer, bias_initializer: initializers of
            the weights (``nnkit.initializers``; simple RNN only).
        return_sequences, return_state, go_backwards: see ``RecurrentLayer``.
        dropout: rate on ``x_t``; recurrent_dropout: rate on ``h_{t-1}``; one
            mask per sequence reused at every step, inverted, training only.

    Shapes:
        x: ``(N, T, D)``; mask: ``(N, T)``; y: ``(N, T, H)`` or ``(N, H)``.
        kernel ``(D, H)``, recurrent_kernel ``(H, H)``, bias ``(H,)`` (Keras's SimpleRNN
        layout); a cell's own weights for ``RNN(cell)``.

    Example:
        >>> layer = RNN(8, return_sequences=True)
        >>> layer(np.ones((2, 5, 3))).shape
        (2, 5, 8)
    """

    def __init__(self, units, activation="tanh", return_sequences=False, return_state=False,
                 go_backwards=False, dropout=0.0, recurrent_dropout=0.0,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", **kwargs):
        super().__init__(return_sequences, return_state, go_backwards,
                         (dropout,), (recurrent_dropout,), **kwargs)
        set_initializers(self, kernel_initializer, recurrent_initializer, bias_initializer)
        if isinstance(units, dict):                 # a cell's config, from from_config
            units = CELLS.get(units["class_name"]).from_config(dict(units["config"]))
        self.cell = units if isinstance(units, Cell) else None
        self.units = self.cell.units if self.cell is not None else \
            validation.positive_int(self.where, "units", units)
        self.activation = activations.get_inplace(activation, f"layer '{self.name}': activation")

    def make_cells(self):
        if self.cell is not None:
            return [self.cell]
        return [RNNCell(self.units, self.activation.name, self.name,
                        **initializer_arguments(self))]

    def get_config(self):
        units = self.units if self.cell is None else {
            "class_name": type(self.cell).__name__, "config": self.cell.get_config()}
        return {**super().get_config(), "units": units, "activation": self.activation.name,
                "dropout": self.input_rates[0], "recurrent_dropout": self.recurrent_rates[0],
                **initializer_config(self)}

SimpleRNN = RNN
LAYERS.alias("SimpleRNN", RNN)
