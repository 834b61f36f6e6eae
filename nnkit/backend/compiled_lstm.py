"""The compiled LSTM time loop of the NumPy backend (``kernels/lstm_loop_typed.h``).

Where the compiled library was not built (``kernels.load_library``),
``TimeLoop`` runs the same steps with NumPy calls (``LSTMCell.step_forward`` /
``step_backward``).

The loop computes exactly what those step functions and ``TimeLoop``'s
per-step GEMMs compute, in the same packed buffers: ``z`` holds the
activated gates after ``forward`` and ``dz`` after ``backward``, so the weight
gradients after the loop are the same GEMMs either way. Why it is faster: the
recurrent kernel is packed once per call instead of once per step, the whole
loop is one call instead of ~10 NumPy calls per step, and the batch's rows
are split between OpenMP threads (``OMP_NUM_THREADS``) without any wait
inside the loop, since a sequence's steps depend only on its own past.

Shapes: P packed steps, N rows (sorted longest first), H state size; gate
column blocks in the loop's order (i, f, o, g), the ½ of the sigmoid gates
folded into the weights: the layer passes them so arranged
(``nnkit/layers/recurrent/gate_layout.py``).
"""
from nnkit.backend.compiled_loop import CompiledLoop


class CompiledLSTMLoop(CompiledLoop):
    """The two entry points of the compiled LSTM loop, for one batch's buffers."""

    def __init__(self, library):
        super().__init__(library, "lstm", buffers=7, blocks=4)

    def forward(self, batch, z, bias, states, recurrent_kernel, keep=None):
        """Run every packed step forwards.

        Args:
            batch: the ``PackedBatch``.
            z: ``(P, 4H)`` ``x·W`` on entry (no bias; i, f, o columns halved);
                the activated gates on return.
            bias: ``(4H,)`` in loop order, i, f, o entries halved.
            states: ``"h"``, ``"c"``, ``"tanh_c"`` → ``(P + N, H)``, rows P… the
                initial ``h`` and ``c``; the other rows are written.
            recurrent_kernel: ``(H, 4H)`` in loop order, i, f, o columns halved.
            keep: ``(N, H)`` recurrent-dropout keep-mask (sorted rows) or None.
        """
        self.call(0, batch, z, [z, bias, states["h"], states["c"], states["tanh_c"],
                                recurrent_kernel, keep])

    def backward(self, batch, z, states, d, recurrent_kernel, keep=None):
        """Run every packed step backwards, the last first.

        Args:
            z: ``(P, 4H)`` the activated gates on entry, ``dz`` on return.
            states: the forward's ``"c"`` and ``"tanh_c"`` ``(P + N, H)``.
            d: ``"h"``, ``"c"`` → ``(P + N, H)`` gradients reaching each state
                from outside the loop on entry; on return complete, rows P… the
                gradients of the initial states.
            recurrent_kernel: ``(H, 4H)`` in loop order, not halved.
            keep: as in ``forward``.
        """
        self.call(1, batch, z, [z, states["c"], states["tanh_c"], d["h"], d["c"],
                                recurrent_kernel, keep])
