"""GatedInput: a learned scalar gate on each input step, driven by the layer above's memory.

From theano-lstm: ``γ_t = σ(x_t·w + h^{above}_{t-1}·u + b)`` (one scalar per
example and step) and the output is ``γ_t·x_t``. Placed first in a
``StackedCells``, it lets the network decide, from what the layer above
currently remembers, how much of each incoming token to let in: e.g. ignoring
filler or noise tokens between the few that matter, or down-weighting repeated
input once it has been stored.

Example:
    >>> stack = StackedCells(16, layers=[32, 32], celltype=["gated_input", "lstm"])
    >>> # layer 0 gates the 16-dim input using h_{t-1} of the 32-unit LSTM above it
"""
from nnkit import activations, validation
from nnkit.layers.recurrent.cell import Cell
from nnkit.registry import register_cell

_SIGMOID = activations.get_inplace("sigmoid")


@register_cell
class GatedInput(Cell):
    """Scalar input gate per example: ``y_t = σ(x_t·w + h^{above}_{t-1}·u + b)·x_t``.

    Usable only as a cell of ``StackedCells`` below a layer with state ``h``
    of size ``units_of_state``; it has no state of its own.

    Args:
        units_of_state: state size H of the layer above, whose ``h_{t-1}`` it reads.

    Shapes:
        x, y: ``(N, D)`` per step; kernel ``(D, 1)``, recurrent_kernel ``(H, 1)``, bias ``(1,)``.
    """

    celltype = "gated_input"
    state_names = ()
    output_name = "y"
    reads_layer_above = True
    recurrent_initializer = "glorot_uniform"

    def __init__(self, units_of_state, name="cell"):
        super().__init__(validation.positive_int(f"GatedInput '{name}'", "units_of_state",
                                                 units_of_state), name)

    @property
    def width(self):
        return 1

    @property
    def output_size(self):
        return self.input_size

    def buffer_widths(self):
        return {"y": self.input_size, "gate": 1}

    def make_scratch(self, n, dtype):
        return {"xy": self._xp.empty((n, self.input_size), dtype),
                "slope": self._xp.empty((n, 1), dtype)}

    def step_forward(self, z, x, prev, cur, scratch):
        _SIGMOID.forward_(self._xp, z)
        cur["gate"][...] = z
        self._xp.multiply(x, z, out=cur["y"])

    def step_backward(self, z, x, prev, cur, d_cur, d_prev, scratch):
        xp, k = self._xp, z.shape[0]
        # dγ = Σ_d dy·x, then dz = dγ·γ(1 - γ)
        products = xp.multiply(d_cur["y"], x, out=scratch["xy"][:k])
        xp.sum(products, axis=1, keepdims=True, out=z)
        slope = scratch["slope"][:k]
        _SIGMOID.derivative_(xp, cur["gate"], slope)
        z *= slope

    def add_direct_input_grad(self, cur, d_cur, dx, work):
        dx += self._xp.multiply(d_cur["y"], cur["gate"], out=work)

    def get_config(self):
        return {"celltype": self.celltype, "units_of_state": self.units}
