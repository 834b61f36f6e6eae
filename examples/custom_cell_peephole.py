"""A custom recurrent cell: the Theano LSTM tutorial's exercise, whose output gate reads V_o·c_t.

The tutorial's LSTM computes ``o_t = σ(W_o x_t + U_o h_{t-1} + b_o)``; its exercise adds
``V_o c_t`` (the new memory) to the output gate. Here that cell is written against nnkit's
public cell API (``nnkit.layers.recurrent.Cell``): the gate blocks, the states, the buffers
it writes, and one step forward and backward on packed rows. ``RNN(cell)`` then gives it
masks, packing, BPTT, dropout, Bidirectional, saving and gradient checks. The example trains
the tutorial's IMDB model with this cell (as ``imdb_lstm.py`` does with the plain LSTM).

    python examples/custom_cell_peephole.py                  # train, test, save
    python examples/custom_cell_peephole.py --limit 2000 --epochs 1
"""
import nnkit
from nnkit.layers.recurrent import Cell


@nnkit.register_cell
class OutputPeepholeLSTMCell(Cell):
    """LSTM step with the output gate reading the new memory: ``o = σ(z_o + c_t·V_o)``.

    ``i, f = σ(z_i), σ(z_f)``, ``g = tanh(z_c)``, ``c_t = f ⊙ c_{t-1} + i ⊙ g``,
    ``o = σ(z_o + c_t·V_o)``, ``h_t = o ⊙ tanh(c_t)``, with ``z = x·W + h_{t-1}·U + b``
    in Keras's gate order (i, f, c, o).

    Shapes: kernel ``(D, 4H)``, recurrent_kernel ``(H, 4H)``, bias ``(4H,)``,
    peephole ``V_o (H, H)``.
    """

    celltype = "output_peephole_lstm"
    gates = 4
    state_names = ("h", "c")

    def build(self, input_size, dtype):
        super().build(input_size, dtype)
        self.params["bias"][self.units:2 * self.units] = 1.0        # forget-gate bias 1
        self._add("peephole", (self.units, self.units), "orthogonal", dtype)

    def buffer_widths(self):
        return {"h": self.units, "c": self.units, "tanh_c": self.units}

    def step_forward(self, z, x, prev, cur, scratch):
        xp, h = self._xp, self.units
        i, f, g, o = z[:, :h], z[:, h:2 * h], z[:, 2 * h:3 * h], z[:, 3 * h:]
        i[...] = 1.0 / (1.0 + xp.exp(-i))
        f[...] = 1.0 / (1.0 + xp.exp(-f))
        g[...] = xp.tanh(g)
        cur["c"][...] = f * prev["c"] + i * g
        o[...] = 1.0 / (1.0 + xp.exp(-(o + cur["c"] @ self.params["peephole"])))
        cur["tanh_c"][...] = xp.tanh(cur["c"])
        cur["h"][...] = o * cur["tanh_c"]

    def step_backward(self, z, x, prev, cur, d_cur, d_prev, scratch):
        h = self.units
        i, f, g, o = z[:, :h], z[:, h:2 * h], z[:, 2 * h:3 * h], z[:, 3 * h:]
        dh, dc, tanh_c = d_cur["h"], d_cur["c"], cur["tanh_c"]
        d_o = dh * tanh_c * o * (1.0 - o)                      # through σ of the output gate
        dc += dh * o * (1.0 - tanh_c * tanh_c) + d_o @ self.params["peephole"].T
        self.grads["peephole"] += cur["c"].T @ d_o
        d_prev["c"] += dc * f
        d_i, d_f, d_g = dc * g * i * (1.0 - i), dc * prev["c"] * f * (1.0 - f), dc * i * (1.0 - g * g)
        z[:, :h], z[:, h:2 * h], z[:, 2 * h:3 * h], z[:, 3 * h:] = d_i, d_f, d_g, d_o


def build_model(args):
    return nnkit.Sequential([
        nnkit.Embedding(args.num_words, args.embedding, mask_zero=True),
        nnkit.RNN(OutputPeepholeLSTMCell(args.units), return_sequences=True),
        nnkit.GlobalAveragePooling1D(),
        nnkit.Dropout(0.5),
        nnkit.Dense(2, activation="softmax"),
    ], name="imdb_peephole_lstm")


if __name__ == "__main__":
    from imdb_common import run
    run(build_model, __doc__.split("\n\n")[0], "imdb_peephole_lstm.h5")
