"""GRU (Cho et al.) in Keras's weight layout (gate blocks z, r, h), both of Keras's variants."""
from nnkit import activations, validation
from nnkit.backend import get_backend
from nnkit.layers.recurrent.cell import (Cell, initializer_arguments, initializer_config,
                                         set_initializers)
from nnkit.layers.recurrent import gate_layout
from nnkit.layers.recurrent.recurrent_layer import RecurrentLayer
from nnkit.registry import register_cell, register_layer


@register_cell
class GRUCell(Cell):
    """One GRU step, ``h_t = z ⊙ h_{t-1} + (1 − z) ⊙ ĥ``, with ``z, r = σ(·)``.

    ``reset_after=True`` (Keras 3's default, cuDNN's variant):
    ``ĥ = act(x·W_h + b_h + r ⊙ (h_{t-1}·U_h + b'_h))``, bias ``(2, 3H)``
    (input row, recurrent row). The time loop then works on four column blocks
    ``[z, r, x·W_h, h·U_h]`` (``gate_layout``), so the one GEMM per step gives
    both halves of the candidate, and the backward GEMMs give ``dx``, the
    recurrent gradient and every weight gradient (the zero blocks' products are
    dropped in ``add_grads``).

    ``reset_after=False``: ``ĥ = act(x·W_h + b_h + (r ⊙ h_{t-1})·U_h)``, bias
    ``(3H,)``. The loop's recurrent kernel is ``[U_z, U_r, 0]``; the step
    multiplies ``r ⊙ h_{t-1}`` by ``U_h`` itself and adds ``U_h``'s gradient
    step by step.

    With recurrent dropout, ``h_{t-1}`` is dropped where it is multiplied by
    ``U`` but not in ``z ⊙ h_{t-1}`` (as Keras).

    Shapes: kernel ``(D, 3H)``, recurrent_kernel ``(H, 3H)``, bias ``(2, 3H)`` or ``(3H,)``.
    """

    celltype = "gru"

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 reset_after=True, name="cell", **weight_initializers):
        super().__init__(units, name, **weight_initializers)
        self.activation = activations.get_inplace(activation, f"layer '{name}': activation")
        self.recurrent_activation = activations.get_inplace(
            recurrent_activation, f"layer '{name}': recurrent_activation")
        self.reset_after = validation.flag(self.where, "reset_after", reset_after)
        self.gates = 4 if self.reset_after else 3

    def build(self, input_size, dtype):
        h = self.units
        self.input_size = int(input_size)
        self._add("kernel", (self.input_size, 3 * h), self.kernel_initializer, dtype)
        self._add("recurrent_kernel", (h, 3 * h), self.recurrent_initializer, dtype)
        self._add("bias", (2, 3 * h) if self.reset_after else (3 * h,), self.bias_initializer,
                  dtype)

    def buffer_widths(self):
        widths = {"h": self.units}
        if not self.reset_after:
            widths["rh"] = self.units          # r ⊙ h_{t-1} (recurrent dropout applied)
        return widths

    def forward_weights(self):
        return (*self.backward_weights(),
                gate_layout.gru_loop_bias(self._xp, self.params["bias"], self.reset_after))

    def backward_weights(self):
        p = self.params
        return gate_layout.gru_loop_kernels(self._xp, p["kernel"], p["recurrent_kernel"],
                                            self.reset_after)

    def add_grads(self, dW, dU, db):
        gate_layout.gru_add_to_keras_order(self.grads, dW, dU, db, self.reset_after)

    def compiled_loop(self, dtype):
        loop = get_backend().kernel("gru_loop")
        if loop is not None and self.reset_after and self.activation.name == "tanh" and \
                self.recurrent_activation.name == "sigmoid" and loop.supports(dtype):
            return loop
        return None

    def make_scratch(self, n, dtype):
        xp, h = self._xp, self.units
        return {"h1": xp.empty((n, h), dtype), "h2": xp.empty((n, h), dtype),
                "slope": xp.empty((n, 2 * h), dtype)}

    def _recurrent_input(self, h_prev, scratch, k):
        """``h_{t-1}`` as multiplied by ``U`` (with the sequence's recurrent-dropout mask)."""
        keep = scratch.get("recurrent_keep")
        return h_prev if keep is None else h_prev * keep[:k]

    def step_forward(self, z, x, prev, cur, scratch):
        xp, h, k = self._xp, self.units, z.shape[0]
        self.recurrent_activation.forward_(xp, z[:, :2 * h])
        update, reset, candidate = z[:, :h], z[:, h:2 * h], z[:, 2 * h:3 * h]
        h_prev = prev["h"]
        if self.reset_after:                   # candidate += r ⊙ (h·U_h + b'_h)
            candidate += xp.multiply(reset, z[:, 3 * h:], out=scratch["h1"][:k])
        else:                                  # candidate += (r ⊙ h)·U_h
            xp.multiply(reset, self._recurrent_input(h_prev, scratch, k), out=cur["rh"])
            candidate += xp.matmul(cur["rh"], self.params["recurrent_kernel"][:, 2 * h:],
                                   out=scratch["h1"][:k])
        self.activation.forward_(xp, candidate)
        # h_t = ĥ + z ⊙ (h_{t-1} − ĥ)
        xp.subtract(h_prev, candidate, out=cur["h"])
        cur["h"] *= update
        cur["h"] += candidate

    def step_backward(self, z, x, prev, cur, d_cur, d_prev, scratch):
        xp, h, k = self._xp, self.units, z.shape[0]
        update, reset, candidate = z[:, :h], z[:, h:2 * h], z[:, 2 * h:3 * h]
        dh, h_prev = d_cur["h"], prev["h"]
        t1, t2, slope = scratch["h1"][:k], scratch["h2"][:k], scratch["slope"][:k]
        d_prev["h"] += xp.multiply(dh, update, out=t1)
        d_update = xp.multiply(xp.subtract(h_prev, candidate, out=t2), dh, out=t2)
        # d_candidate (before act) = dh ⊙ (1 − z) ⊙ act'(ĥ)
        d_candidate = t1
        self.activation.derivative_(xp, candidate, d_candidate)
        d_candidate *= dh
        d_candidate -= xp.multiply(d_candidate, update, out=slope[:, :h])
        self.recurrent_activation.derivative_(xp, z[:, :2 * h], slope)
        xp.multiply(d_update, slope[:, :h], out=update)
        if self.reset_after:                   # ĥ_pre = x·W_h + b_h + r ⊙ u, u = h·U_h + b'_h
            d_reset = xp.multiply(d_candidate, z[:, 3 * h:], out=t2)
            xp.multiply(d_candidate, reset, out=z[:, 3 * h:])
        else:                                  # ĥ_pre = x·W_h + b_h + (r ⊙ h̃)·U_h, h̃ dropped h
            u_h = self.params["recurrent_kernel"][:, 2 * h:]
            self.grads["recurrent_kernel"][:, 2 * h:] += cur["rh"].T @ d_candidate
            d_rh = xp.matmul(d_candidate, u_h.T, out=t2)
            to_prev = xp.multiply(d_rh, reset, out=slope[:, :h])
            keep = scratch.get("recurrent_keep")
            if keep is not None:
                to_prev *= keep[:k]
            d_prev["h"] += to_prev
            d_reset = xp.multiply(d_rh, self._recurrent_input(h_prev, scratch, k), out=t2)
        xp.multiply(d_reset, slope[:, h:], out=reset)
        candidate[...] = d_candidate

    def get_config(self):
        return {**super().get_config(), "activation": self.activation.name,
                "recurrent_activation": self.recurrent_activation.name,
                "reset_after": self.reset_after, **initializer_config(self)}


@register_layer
class GRU(RecurrentLayer):
    """Gated recurrent unit layer, Keras's ``GRU`` (gate blocks z, r, h).

    Args:
        units: state size H.
        activation: of the candidate ĥ ("tanh", "sigmoid", "relu" or "linear").
        recurrent_activation: of the gates z and r (default "sigmoid").
        reset_after: apply the reset gate after the recurrent product (Keras 3's
            default and cuDNN's variant; bias ``(2, 3H)``), or before it (bias ``(3H,)``).
        kernel_initializer, recurrent_initializer, bias_initializer: initializers of
            the weights (``nnkit.initializers``: a name, an Initializer object such as
            ``Orthogonal(gain=2.0)`` or a ``(name, kwargs)`` pair).
        return_sequences, return_state, go_backwards: see ``RecurrentLayer``
            (``return_state`` gives ``[y, h]``; ``initial_state=[h0]``).
        dropout: rate on ``x_t``; recurrent_dropout: rate on ``h_{t-1}`` where it
            meets ``U``; one mask per sequence reused at every step, inverted,
            training only.

    Shapes:
        x: ``(N, T, D)``; mask: ``(N, T)``; y: ``(N, T, H)`` or ``(N, H)``.
        kernel ``(D, 3H)`` (default glorot uniform), recurrent_kernel ``(H, 3H)``
        (default orthogonal per block), bias ``(2, 3H)`` or ``(3H,)`` (default zeros).

    Example:
        >>> GRU(8, return_sequences=True)(np.ones((2, 5, 3))).shape
        (2, 5, 8)
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 reset_after=True, return_sequences=False, return_state=False,
                 go_backwards=False, dropout=0.0, recurrent_dropout=0.0,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", **kwargs):
        super().__init__(return_sequences, return_state, go_backwards,
                         (dropout,), (recurrent_dropout,), **kwargs)
        set_initializers(self, kernel_initializer, recurrent_initializer, bias_initializer)
        self.units = validation.positive_int(self.where, "units", units)
        self.activation = activations.get_inplace(activation, f"layer '{self.name}': activation")
        self.recurrent_activation = activations.get_inplace(
            recurrent_activation, f"layer '{self.name}': recurrent_activation")
        self.reset_after = validation.flag(self.where, "reset_after", reset_after)

    def make_cells(self):
        return [GRUCell(self.units, self.activation.name, self.recurrent_activation.name,
                        self.reset_after, self.name, **initializer_arguments(self))]

    def get_config(self):
        return {**super().get_config(), "units": self.units, "activation": self.activation.name,
                "recurrent_activation": self.recurrent_activation.name,
                "reset_after": self.reset_after, "dropout": self.input_rates[0],
                "recurrent_dropout": self.recurrent_rates[0], **initializer_config(self)}
