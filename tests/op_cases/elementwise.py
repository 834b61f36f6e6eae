"""Cases for ``nnkit/ops/elementwise.py``.

Gradient inputs keep away from the clip bounds except where a case checks JAX's convention
at a kink on purpose: a tie of ``maximum``/``minimum`` and a value on a ``clip`` bound take
half the gradient, which is also what the central difference of the numerical check gives
there.
"""
import numpy as np

from nnkit.ops import elementwise as ew
from op_cases.case import OpCase
from op_cases.common import away_from_zero, normal, positive


def broadcasting_cases(op, reference, make=normal):
    """Same-shape, ``(N, 1)`` with ``(N, D)``, and rank-1 with rank-3 operands."""
    return [OpCase(op, make((3, 4), (3, 4)), reference),
            OpCase(op, make((3, 1), (3, 4)), reference),
            OpCase(op, make((4,), (2, 3, 4)), reference)]


def nonzero_divisor(x_shape, y_shape):
    """``rng -> (x, y)``: normal ``x``, ``y`` away from zero."""
    return lambda rng: (rng.normal(size=x_shape), away_from_zero(rng, y_shape))


def tied(rng):
    x = rng.normal(size=(3, 4))
    return x, x.copy()


def on_clip_bounds(rng):
    return (np.array([-0.5, 0.5, -2.0, 0.1, 3.0]),)


CASES = {
    "Add": broadcasting_cases(ew.Add, np.add),
    "Subtract": broadcasting_cases(ew.Subtract, np.subtract),
    "Multiply": broadcasting_cases(ew.Multiply, np.multiply),
    "Divide": broadcasting_cases(ew.Divide, np.divide, nonzero_divisor)
    + [OpCase(ew.Divide, lambda rng: (np.array([1, 2, 3]), np.array([2, 4, 8])),
              lambda x, y: np.array([0.5, 0.5, 0.375]))],
    "TrueDivide": [OpCase(ew.TrueDivide, nonzero_divisor((3, 1), (3, 4)), np.true_divide)],
    "Power": broadcasting_cases(ew.Power, np.power, positive)
    + [OpCase(ew.Power, lambda rng: (rng.normal(size=(3, 4)), np.array(3.0)), np.power,
              grad_inputs=(0,)),
       OpCase(ew.Power, lambda rng: (np.array([0.0, 2.0]), np.array([2.0, 0.0])), np.power)],
    "Maximum": broadcasting_cases(ew.Maximum, np.maximum)
    + [OpCase(ew.Maximum, tied, np.maximum)],
    "Minimum": broadcasting_cases(ew.Minimum, np.minimum)
    + [OpCase(ew.Minimum, tied, np.minimum)],
    "Where": [OpCase(ew.Where, lambda rng: (rng.random((3, 4)) > 0.5, rng.normal(size=(3, 4)),
                                            rng.normal(size=(3, 4))), np.where),
              OpCase(ew.Where, lambda rng: (rng.random((3, 1)) > 0.5, rng.normal(size=(2, 3, 4)),
                                            rng.normal(size=(4,))), np.where),
              OpCase(ew.Where, lambda rng: (np.array([1, 0, 2]), rng.normal(size=(3,)),
                                            np.array(7.0)), np.where)],
    "Clip": [OpCase(lambda: ew.Clip(-0.5, 0.5),
                    lambda rng: (rng.choice([-1.0, 1.0], (3, 4)) * rng.uniform(0, 0.4, (3, 4))
                                 + rng.choice([0.0, 0.8, -0.8], (3, 4)),),
                    lambda x: np.clip(x, -0.5, 0.5)),
             OpCase(lambda: ew.Clip(-0.5, 0.5), on_clip_bounds, lambda x: np.clip(x, -0.5, 0.5)),
             OpCase(lambda: ew.Clip(0, 1), lambda rng: (np.array([True, False]),),
                    lambda x: x.astype(np.int32)),
             OpCase(lambda: ew.Clip(None, np.float32(0.5)), normal((3, 4)),
                    lambda x: np.minimum(x, 0.5))],
}
