"""Adam (Kingma & Ba, 2015) with bias correction."""
import math

from nnkit import validation
from nnkit.optimizers.base import OPTIMIZERS, Optimizer, refuse_unsupported


@OPTIMIZERS.register
class Adam(Optimizer):
    """``m ← β₁m + (1−β₁)g``; ``v ← β₂v + (1−β₂)g²``;
    ``θ ← θ − lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m / (√v + ε)``.

    Keras's ``amsgrad`` is accepted at its default (False) only.
    """

    slot_names = ("m", "v")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
                 **kwargs):
        refuse_unsupported(type(self).__name__, {"amsgrad": amsgrad}, {"amsgrad": False})
        super().__init__(learning_rate, **kwargs)
        owner = type(self).__name__
        self.beta_1 = validation.decay(owner, "beta_1", beta_1)
        self.beta_2 = validation.decay(owner, "beta_2", beta_2)
        self.epsilon = validation.positive(owner, "epsilon", epsilon)

    def update_step(self, xp, param, grad, slots):
        m, v = slots["m"], slots["v"]
        m *= self.beta_1
        m += (1 - self.beta_1) * grad
        v *= self.beta_2
        v += (1 - self.beta_2) * grad * grad
        t = self.iterations
        step = self.learning_rate * math.sqrt(1 - self.beta_2 ** t) / (1 - self.beta_1 ** t)
        param -= step * m / (xp.sqrt(v) + self.epsilon)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


@OPTIMIZERS.register
class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter): before each update
    ``θ ← θ − lr·weight_decay·θ``, then Adam's step (Keras 3's ``AdamW``, default decay 0.004)."""

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, weight_decay=weight_decay,
                         **kwargs)
