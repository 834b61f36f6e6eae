"""Adadelta (Zeiler, 2012), the Theano LSTM tutorial's optimizer."""
from nnkit.optimizers.base import OPTIMIZERS, Optimizer


@OPTIMIZERS.register
class Adadelta(Optimizer):
    """Zeiler's rule with running averages of squared gradients and squared updates.

    ``E[g²] ← ρ·E[g²] + (1−ρ)·g²``;
    ``Δ = −√(E[Δ²] + ε) / √(E[g²] + ε) · g``;
    ``E[Δ²] ← ρ·E[Δ²] + (1−ρ)·Δ²``;  ``θ ← θ + lr·Δ``.
    """

    slot_names = ("grad_sq_avg", "update_sq_avg")

    def __init__(self, learning_rate=1.0, rho=0.95, epsilon=1e-6, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho = float(rho)
        self.epsilon = float(epsilon)

    def update_step(self, xp, param, grad, slots):
        grad_sq_avg, update_sq_avg = slots["grad_sq_avg"], slots["update_sq_avg"]
        grad_sq_avg *= self.rho
        grad_sq_avg += (1 - self.rho) * grad * grad
        update = xp.sqrt(update_sq_avg + self.epsilon)
        update /= xp.sqrt(grad_sq_avg + self.epsilon)
        update *= grad
        update_sq_avg *= self.rho
        update_sq_avg += (1 - self.rho) * update * update
        param -= self.learning_rate * update

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
