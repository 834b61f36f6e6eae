"""Adagrad: per-element steps shrinking with the sum of squared gradients."""
from nnkit import validation
from nnkit.backend import get_backend
from nnkit.optimizers.base import OPTIMIZERS, Optimizer


@OPTIMIZERS.register
class Adagrad(Optimizer):
    """``a ← a + g²``; ``θ ← θ − lr·g / (√a + ε)``, with ``a`` starting at ``initial_accumulator_value``."""

    slot_names = ("accumulator",)

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value = validation.non_negative(
            "Adagrad", "initial_accumulator_value", initial_accumulator_value)
        self.epsilon = validation.positive("Adagrad", "epsilon", epsilon)

    def init_slots(self, slots):
        slots["accumulator"].fill(self.initial_accumulator_value)

    def update_step(self, xp, param, grad, slots):
        accumulator = slots["accumulator"]
        accumulator += grad * grad
        param -= self.learning_rate * grad / (xp.sqrt(accumulator) + self.epsilon)

    def update_rows(self, xp, param, grad, slots, rows):
        # a zero gradient row changes neither its accumulator nor its parameters
        grad, accumulator = grad.take(rows, axis=0), slots["accumulator"].take(rows, axis=0)
        accumulator += grad * grad
        slots["accumulator"][rows] = accumulator
        get_backend().add_to_rows(param, rows,
                                  -self.learning_rate * grad / (xp.sqrt(accumulator) + self.epsilon))

    def get_config(self):
        return {**super().get_config(), "initial_accumulator_value":
                self.initial_accumulator_value, "epsilon": self.epsilon}
