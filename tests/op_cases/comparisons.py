"""Cases for ``nnkit/ops/comparisons.py`` (no gradients: bool outputs)."""
import numpy as np

from nnkit.ops import comparisons as cmp
from op_cases.case import OpCase


def small_ints(*shapes):
    """``rng -> arrays``: integers in ``[-2, 2]`` (so equal elements are common)."""
    return lambda rng: tuple(rng.integers(-2, 3, size=shape) for shape in shapes)


def mixed(rng):
    """A float ``(3, 4)`` array of small integers and an int ``(4,)``: broadcast, mixed dtypes."""
    return rng.integers(-2, 3, size=(3, 4)).astype(float), rng.integers(-2, 3, size=(4,))


def binary_cases(op, reference):
    return [OpCase(op, small_ints((3, 4), (3, 4)), reference),
            OpCase(op, small_ints((3, 1), (3, 4)), reference),
            OpCase(op, mixed, reference)]


SPECIAL = np.array([0.0, -1.5, np.nan, np.inf, -np.inf, 2.0])

CASES = {
    "Equal": binary_cases(cmp.Equal, np.equal),
    "NotEqual": binary_cases(cmp.NotEqual, np.not_equal),
    "Greater": binary_cases(cmp.Greater, np.greater),
    "GreaterEqual": binary_cases(cmp.GreaterEqual, np.greater_equal),
    "Less": binary_cases(cmp.Less, np.less),
    "LessEqual": binary_cases(cmp.LessEqual, np.less_equal),
    "LogicalAnd": binary_cases(cmp.LogicalAnd, np.logical_and),
    "LogicalOr": binary_cases(cmp.LogicalOr, np.logical_or),
    "LogicalXor": binary_cases(cmp.LogicalXor, np.logical_xor)
    + [OpCase(cmp.LogicalXor, lambda rng: (np.array([True, True, False, False]),
                                           np.array([True, False, True, False])),
              lambda x, y: np.array([False, True, True, False]))],
    "LogicalNot": [OpCase(cmp.LogicalNot, small_ints((3, 4)), np.logical_not)],
    "Isnan": [OpCase(cmp.Isnan, lambda rng: (SPECIAL,),
                     lambda x: np.array([False, False, True, False, False, False])),
              OpCase(cmp.Isnan, small_ints((3,)), lambda x: np.zeros(3, bool))],
    "Isfinite": [OpCase(cmp.Isfinite, lambda rng: (SPECIAL,),
                        lambda x: np.array([True, True, False, False, False, True]))],
    "Isinf": [OpCase(cmp.Isinf, lambda rng: (SPECIAL,),
                     lambda x: np.array([False, False, False, True, True, False]))],
}
