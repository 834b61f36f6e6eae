"""RMSprop: steps scaled by a running root-mean-square of the gradients."""
from nnkit import validation
from nnkit.optimizers.base import OPTIMIZERS, Optimizer, refuse_unsupported


@OPTIMIZERS.register
class RMSprop(Optimizer):
    """``s ← ρ·s + (1−ρ)·g²``; ``θ ← θ − lr·g / (√s + ε)``.

    Keras's ``momentum`` and ``centered`` are accepted at their defaults (0.0, False) only.
    """

    slot_names = ("mean_square",)

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 **kwargs):
        refuse_unsupported("RMSprop", {"momentum": momentum, "centered": centered},
                           {"momentum": 0.0, "centered": False})
        super().__init__(learning_rate, **kwargs)
        self.rho = validation.decay("RMSprop", "rho", rho)
        self.epsilon = validation.positive("RMSprop", "epsilon", epsilon)

    def update_step(self, xp, param, grad, slots):
        mean_square = slots["mean_square"]
        mean_square *= self.rho
        mean_square += (1 - self.rho) * grad * grad
        param -= self.learning_rate * grad / (xp.sqrt(mean_square) + self.epsilon)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
