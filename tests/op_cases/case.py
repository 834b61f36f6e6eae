"""OpCase: how ``tests/test_ops.py`` checks one op."""
import dataclasses
from typing import Callable


@dataclasses.dataclass
class OpCase:
    """One check of an op.

    Attributes:
        op: ``() -> Op`` (the op with its attributes).
        inputs: ``rng -> tuple of arrays`` (float64 where a gradient is checked).
        reference: ``(*inputs) -> array``: the same maths written with NumPy directly.
        grad_inputs: positions of the inputs whose gradient is checked (default: every
            float input; () for ops without gradient).
    """

    op: Callable
    inputs: Callable
    reference: Callable
    grad_inputs: tuple = None
