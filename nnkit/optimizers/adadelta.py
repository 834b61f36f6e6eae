"""Adadelta (Zeiler, 2012), the Theano LSTM tutorial's optimizer."""
from nnkit import validation
from nnkit.backend import get_backend
from nnkit.optimizers.base import OPTIMIZERS, Optimizer


@OPTIMIZERS.register
class Adadelta(Optimizer):
    """Zeiler's rule with running averages of squared gradients and squared updates.

    ``E[g²] ← ρ·E[g²] + (1−ρ)·g²``;
    ``Δ = −√(E[Δ²] + ε) / √(E[g²] + ε) · g``;
    ``E[Δ²] ← ρ·E[Δ²] + (1−ρ)·Δ²``;  ``θ ← θ + lr·Δ``.

    Everything is computed in place in two reusable work buffers (no temporary
    arrays). A gradient known to be zero outside a few rows (an embedding
    table's) gets the full rule on those rows only: for a zero row the rule
    reduces exactly to ``E[g²] ← ρ·E[g²]``, ``E[Δ²] ← ρ·E[Δ²]`` and an unchanged ``θ``.
    Where the backend has a fused step (kernel ``"adadelta"``: the NumPy backend's
    compiled one) that takes the operands, it runs instead, with the same operations in
    the same order; there a zero row's two decays are owed until the row is next updated
    or the slots are read (``settle_slots``), then done one step at a time: the same bits
    as eager decays.
    """

    slot_names = ("grad_sq_avg", "update_sq_avg")

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho = validation.decay("Adadelta", "rho", rho)
        self.epsilon = validation.positive("Adadelta", "epsilon", epsilon)
        self._work = {}
        # id(grad_sq_avg) → (grad_sq_avg, update_sq_avg, owed decays (V,), the fused step)
        self._owed = {}

    def update_step(self, xp, param, grad, slots):
        if self._fused(param, grad, slots, None):
            return
        self._rule(xp, param, grad, slots["grad_sq_avg"], slots["update_sq_avg"],
                   self._buffers(xp, param))

    def update_rows(self, xp, param, grad, slots, rows):
        if self._fused(param, grad, slots, rows):
            return
        if 4 * rows.size > param.shape[0]:  # many rows: the dense pass is cheaper
            self.update_step(xp, param, grad, slots)
            return
        grad_sq_avg, update_sq_avg = slots["grad_sq_avg"], slots["update_sq_avg"]
        up, value = update_sq_avg.take(rows, axis=0), param.take(rows, axis=0)
        grad_sq_avg *= self.rho
        update_sq_avg *= self.rho
        sq = grad_sq_avg.take(rows, axis=0)
        work = (xp.empty_like(value), xp.empty_like(value))
        self._rule(xp, value, grad.take(rows, axis=0), sq, up, work, grad_sq_decayed=True)
        grad_sq_avg[rows], update_sq_avg[rows], param[rows] = sq, up, value

    def _fused(self, param, grad, slots, rows):
        """The backend's fused step, if it has one that takes these operands; whether it ran."""
        fused = get_backend().kernel("adadelta")
        if fused is None:
            return False
        grad_sq, update_sq = slots["grad_sq_avg"], slots["update_sq_avg"]
        entry = self._owed.get(id(grad_sq))
        known = entry is not None and entry[0] is grad_sq
        owed = fused.step(param, grad, grad_sq, update_sq, rows, entry[2] if known else None,
                          self.rho, self.epsilon, self.learning_rate)
        if owed is None:
            return False
        if not known:
            self._owed[id(grad_sq)] = (grad_sq, update_sq, owed, fused)
        return True

    def settle_slots(self):
        for grad_sq, update_sq, owed, fused in self._owed.values():
            fused.settle(owed, grad_sq, update_sq, self.rho)
        self._owed = {}

    def _rule(self, xp, param, grad, grad_sq_avg, update_sq_avg, buffers, grad_sq_decayed=False):
        """Zeiler's rule in place (``grad_sq_decayed``: ``E[g²]`` was already multiplied by ρ)."""
        update, work = buffers
        if not grad_sq_decayed:
            grad_sq_avg *= self.rho
        xp.multiply(grad, grad, out=work)
        work *= 1 - self.rho
        grad_sq_avg += work
        xp.add(update_sq_avg, self.epsilon, out=update)
        xp.sqrt(update, out=update)
        xp.add(grad_sq_avg, self.epsilon, out=work)
        xp.sqrt(work, out=work)
        update /= work
        update *= grad
        update_sq_avg *= self.rho
        xp.multiply(update, update, out=work)
        work *= 1 - self.rho
        update_sq_avg += work
        if self.learning_rate != 1.0:
            update *= self.learning_rate
        param -= update

    def _buffers(self, xp, like):
        """Two work arrays shaped like ``like``, reused across steps (never saved)."""
        key = (tuple(like.shape), str(like.dtype))
        buffers = self._work.get(key)
        if buffers is None or not isinstance(buffers[0], xp.ndarray):
            buffers = self._work[key] = (xp.empty_like(like), xp.empty_like(like))
        return buffers

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
