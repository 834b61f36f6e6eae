"""The compiled GRU time loop of the NumPy backend (``kernels/gru_loop_typed.h``).

It computes what ``GRUCell.step_forward`` / ``step_backward`` (``reset_after=True``,
tanh candidate, sigmoid gates) and ``TimeLoop``'s per-step GEMMs compute, in the same
packed buffers and the cell's four-block loop layout (update, reset, x·W_h, h·U_h;
arranged by the layer: ``nnkit/layers/recurrent/gate_layout.py``), so
the weight gradients after the loop are the same GEMMs either way; elsewhere
(``reset_after=False``, other activations, CuPy, no compiler) the NumPy steps run. It
is faster for the LSTM loop's reasons: the recurrent kernel packed once per call, one
call for all steps, rows split between OpenMP threads with no wait inside the loop.

Shapes: P packed steps, N rows (sorted longest first), H state size.
"""
from nnkit.backend.compiled_loop import CompiledLoop


class CompiledGRULoop(CompiledLoop):
    """The two entry points of the compiled GRU loop, for one batch's buffers."""

    def __init__(self, library):
        super().__init__(library, "gru", buffers=5, blocks=4)

    def forward(self, batch, z, bias, states, recurrent_kernel, keep=None):
        """Run every packed step forwards.

        Args:
            batch: the ``PackedBatch``.
            z: ``(P, 4H)`` ``x·W`` on entry (no bias); the activated blocks on return.
            bias: ``(4H,)`` the loop bias ``[b_z + b'_z, b_r + b'_r, b_h, b'_h]``.
            states: ``"h"`` → ``(P + N, H)``, rows P… the initial ``h``; the others are written.
            recurrent_kernel: ``(H, 4H)`` the loop's ``[U_z, U_r, 0, U_h]``.
            keep: ``(N, H)`` recurrent-dropout keep-mask (sorted rows) or None.
        """
        self.call(0, batch, z, [z, bias, states["h"], recurrent_kernel, keep])

    def backward(self, batch, z, states, d, recurrent_kernel, keep=None):
        """Run every packed step backwards, the last first.

        Args:
            z: ``(P, 4H)`` the activated blocks on entry, ``dz`` on return.
            states: the forward's ``"h"`` ``(P + N, H)``.
            d: ``"h"`` → ``(P + N, H)`` gradients reaching each state from outside the
                loop on entry; on return complete, rows P… the initial state's gradient.
            recurrent_kernel: as in ``forward``.
            keep: as in ``forward``.
        """
        self.call(1, batch, z, [z, states["h"], d["h"], recurrent_kernel, keep])
