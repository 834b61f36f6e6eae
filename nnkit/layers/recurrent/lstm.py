"""LSTM without peepholes, in Keras's weight layout (gate blocks i, f, c, o)."""
from nnkit import activations, validation
from nnkit.backend import get_backend
from nnkit.errors import InvalidArgumentError
from nnkit.layers.recurrent.cell import (Cell, initializer_arguments, initializer_config,
                                         set_initializers)
from nnkit.layers.recurrent import gate_layout
from nnkit.layers.recurrent.recurrent_layer import RecurrentLayer
from nnkit.registry import register_cell, register_layer


@register_cell
class LSTMCell(Cell):
    """One LSTM step: ``c_t = f⊙c_{t-1} + i⊙g``, ``h_t = o⊙tanh(c_t)``.

    ``i, f, o = σ(z)`` and ``g = activation(z)`` for the four column blocks of
    ``z = x_t·W + h_{t-1}·U + b``. The weights are stored in Keras's order
    (i, f, c, o); the loop works on copies reordered to (i, f, o, g) so the
    three sigmoid gates are one contiguous block, with their ½ of
    ``σ(z) = ½·tanh(z/2) + ½`` folded into the copies (``gate_layout``). The
    step cache is the activated gates, ``c_t`` and ``tanh(c_t)``.

    ``bias_initializer`` fills the bias; with ``unit_forget_bias`` the forget block is
    then set to 1 (Keras draws the other three blocks alone; the same for
    initializers that do not depend on the shape).

    Shapes: kernel ``(D, 4H)``, recurrent_kernel ``(H, 4H)``, bias ``(4H,)``.
    """

    celltype = "lstm"
    gates = 4
    state_names = ("h", "c")

    def __init__(self, units, activation="tanh", unit_forget_bias=True, name="cell",
                 **weight_initializers):
        super().__init__(units, name, **weight_initializers)
        self.activation = activations.get_inplace(activation, f"layer '{name}': activation")
        self.unit_forget_bias = validation.flag(self.where, "unit_forget_bias", unit_forget_bias)

    def build(self, input_size, dtype):
        super().build(input_size, dtype)
        if self.unit_forget_bias:
            self.params["bias"][self.units:2 * self.units] = 1.0
        xp, h = self._xp, self.units
        # σ(z) = ½·tanh(z/2) + ½ on i, f, o; g unchanged: one contiguous affine over all 4H
        self._scale = gate_layout.lstm_columns(xp, h, 0.5, 1.0, dtype)
        self._shift = gate_layout.lstm_columns(xp, h, 0.5, 0.0, dtype)
        # slope = α + a·(β − a): σ(1 − σ) on i, f, o; on g 1 − g² (tanh) or g(1 − g) (sigmoid)
        sigmoid_g = self.activation.name == "sigmoid"
        self._alpha = gate_layout.lstm_columns(xp, h, 0.0, 0.0 if sigmoid_g else 1.0, dtype)
        self._beta = gate_layout.lstm_columns(xp, h, 1.0, 1.0 if sigmoid_g else 0.0, dtype)

    def buffer_widths(self):
        return {"h": self.units, "c": self.units, "tanh_c": self.units}

    def forward_weights(self):
        xp, p = self._xp, self.params
        return tuple(gate_layout.lstm_loop_order(xp, p[key], halve_sigmoid_gates=True)
                     for key in ("kernel", "recurrent_kernel", "bias"))

    def backward_weights(self):
        xp, p = self._xp, self.params
        return tuple(gate_layout.lstm_loop_order(xp, p[key])
                     for key in ("kernel", "recurrent_kernel"))

    def add_grads(self, dW, dU, db):
        for key, grad in (("kernel", dW), ("recurrent_kernel", dU), ("bias", db)):
            gate_layout.lstm_add_to_keras_order(self.grads[key], grad)

    def compiled_loop(self, dtype):
        loop = get_backend().kernel("lstm_loop")
        if loop is not None and self.activation.name == "tanh" and loop.supports(dtype):
            return loop
        return None

    def make_scratch(self, n, dtype):
        xp, h = self._xp, self.units
        return {"h1": xp.empty((n, h), dtype), "gates": xp.empty((n, 4 * h), dtype),
                "slope": xp.empty((n, 4 * h), dtype)}

    def step_forward(self, z, x, prev, cur, scratch):
        xp, h = self._xp, self.units
        g = z[:, 3 * h:]
        if self.activation.name == "tanh":   # one tanh over the contiguous (k, 4H) block
            xp.tanh(z, out=z)
        else:
            xp.tanh(z[:, :3 * h], out=z[:, :3 * h])
            self.activation.forward_(xp, g)
        xp.multiply(z, self._scale, out=z)
        xp.add(z, self._shift, out=z)
        i, f, o = z[:, :h], z[:, h:2 * h], z[:, 2 * h:3 * h]
        c, tanh_c = cur["c"], cur["tanh_c"]
        xp.multiply(f, prev["c"], out=c)
        input_term = xp.multiply(i, g, out=scratch["h1"][:z.shape[0]])
        c += input_term
        xp.tanh(c, out=tanh_c)
        xp.multiply(o, tanh_c, out=cur["h"])

    def step_backward(self, z, x, prev, cur, d_cur, d_prev, scratch):
        xp, h, k = self._xp, self.units, z.shape[0]
        i, f, o, g = z[:, :h], z[:, h:2 * h], z[:, 2 * h:3 * h], z[:, 3 * h:]
        tanh_c, dh, dc = cur["tanh_c"], d_cur["h"], d_cur["c"]
        t1, d_gates, slope = scratch["h1"][:k], scratch["gates"][:k], scratch["slope"][:k]
        # dc += dh·o·(1 - tanh²(c))
        xp.multiply(tanh_c, tanh_c, out=t1)
        xp.subtract(1.0, t1, out=t1)
        t1 *= o
        t1 *= dh
        dc += t1
        # dc_{t-1} += dc·f
        d_prev["c"] += xp.multiply(dc, f, out=t1)
        # gradients reaching the activated gates: di = dc·g, df = dc·c_{t-1}, do = dh·tanh(c),
        # dg = dc·i; then dz = d_gates·slope over the contiguous (k, 4H) block
        xp.multiply(dc, g, out=d_gates[:, :h])
        xp.multiply(dc, prev["c"], out=d_gates[:, h:2 * h])
        xp.multiply(dh, tanh_c, out=d_gates[:, 2 * h:3 * h])
        xp.multiply(dc, i, out=d_gates[:, 3 * h:])
        xp.subtract(self._beta, z, out=slope)
        slope *= z
        slope += self._alpha
        if self.activation.name not in ("tanh", "sigmoid"):
            self.activation.derivative_(xp, g, slope[:, 3 * h:])
        xp.multiply(d_gates, slope, out=z)

    def get_config(self):
        return {**super().get_config(), "activation": self.activation.name,
                "unit_forget_bias": self.unit_forget_bias, **initializer_config(self)}


@register_layer
class LSTM(RecurrentLayer):
    """Long short-term memory layer (Hochreiter & Schmidhuber; no peepholes), Keras layout.

    Args:
        units: state size H.
        activation: of the candidate ``g`` ("tanh", "sigmoid", "relu" or "linear").
        recurrent_activation: of the gates i, f, o; only "sigmoid".
        unit_forget_bias: start the forget-gate bias at 1.
        kernel_initializer, recurrent_initializer, bias_initializer: initializers of
            the weights (``nnkit.initializers``: a name, an Initializer object such as
            ``Orthogonal(gain=2.0)`` or a ``(name, kwargs)`` pair).
        return_sequences, return_state, go_backwards: see ``RecurrentLayer``
            (``return_state`` gives ``[y, h, c]``; ``initial_state=[h0, c0]``).
        dropout: rate on ``x_t``; recurrent_dropout: rate on ``h_{t-1}``; one
            mask per sequence reused at every step, inverted, training only.

    Shapes:
        x: ``(N, T, D)``; mask: ``(N, T)``; y: ``(N, T, H)`` or ``(N, H)``.
        kernel ``(D, 4H)`` (default glorot uniform), recurrent_kernel ``(H, 4H)``
        (default orthogonal per gate block), bias ``(4H,)``; gate blocks i, f, c, o.

    Example:
        >>> model = nnkit.Sequential([Embedding(1000, 32, mask_zero=True), LSTM(64), Dense(2)])
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 unit_forget_bias=True, return_sequences=False, return_state=False,
                 go_backwards=False, dropout=0.0, recurrent_dropout=0.0,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", **kwargs):
        super().__init__(return_sequences, return_state, go_backwards,
                         (dropout,), (recurrent_dropout,), **kwargs)
        set_initializers(self, kernel_initializer, recurrent_initializer, bias_initializer)
        if recurrent_activation != "sigmoid":
            raise InvalidArgumentError(f"layer '{self.name}' (LSTM): recurrent_activation must "
                                       f"be 'sigmoid', received {recurrent_activation!r}")
        self.units = validation.positive_int(self.where, "units", units)
        self.activation = activations.get_inplace(activation, f"layer '{self.name}': activation")
        self.unit_forget_bias = validation.flag(self.where, "unit_forget_bias", unit_forget_bias)

    def make_cells(self):
        return [LSTMCell(self.units, self.activation.name, self.unit_forget_bias, self.name,
                         **initializer_arguments(self))]

    def get_config(self):
        return {**super().get_config(), "units": self.units, "activation": self.activation.name,
                "recurrent_activation": "sigmoid", "unit_forget_bias": self.unit_forget_bias,
                "dropout": self.input_rates[0], "recurrent_dropout": self.recurrent_rates[0],
                **initializer_config(self)}
