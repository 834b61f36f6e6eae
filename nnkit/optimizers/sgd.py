"""Stochastic gradient descent with optional (Nesterov) momentum."""
from nnkit import validation
from nnkit.backend import get_backend
from nnkit.optimizers.base import OPTIMIZERS, Optimizer
from nnkit.errors import InvalidArgumentError


@OPTIMIZERS.register
class SGD(Optimizer):
    """``v ← m·v − lr·g``; ``θ ← θ + v`` (Nesterov: ``θ ← θ + m·v − lr·g``); plain ``θ ← θ − lr·g`` when m = 0."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.momentum = validation.decay("SGD", "momentum", momentum)
        if not isinstance(nesterov, bool):
            raise InvalidArgumentError(f"SGD: nesterov must be True or False, received "
                                       f"{nesterov!r}")
        self.nesterov = nesterov
        self.slot_names = ("velocity",) if self.momentum else ()

    def update_step(self, xp, param, grad, slots):
        if not self.momentum:
            param -= self.learning_rate * grad
            return
        velocity = slots["velocity"]
        velocity *= self.momentum
        velocity -= self.learning_rate * grad
        if self.nesterov:
            param += self.momentum * velocity - self.learning_rate * grad
        else:
            param += velocity

    def update_rows(self, xp, param, grad, slots, rows):
        if self.momentum:  # the velocity of every row decays: no row may be skipped
            self.update_step(xp, param, grad, slots)
            return
        get_backend().add_to_rows(param, rows, -self.learning_rate * grad.take(rows, axis=0))

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
