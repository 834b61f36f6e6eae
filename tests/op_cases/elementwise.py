"""Cases for ``nnkit/ops/elementwise.py``.

Gradient inputs keep away from kinks (0 for ``abs``, bounds for ``clip``) except where a
case checks JAX's convention at a kink on purpose: a tie of ``maximum``/``minimum`` and a
value on a ``clip`` bound take half the gradient, which is also what the central
difference of the numerical check gives there.
"""
import functools

import numpy as np

from nnkit.ops import elementwise as ew
from op_cases.case import OpCase


def normal(*shapes):
    """``rng -> arrays``: standard normal arrays of ``shapes``."""
    return lambda rng: tuple(rng.normal(size=shape) for shape in shapes)


def away_from_zero(rng, shape, low=0.5, high=2.0):
    """Values of either sign with ``low <= |x| <= high``."""
    return rng.uniform(low, high, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def positive(*shapes):
    """``rng -> arrays``: arrays of ``shapes`` in ``[0.3, 2]``."""
    return lambda rng: tuple(rng.uniform(0.3, 2.0, size=shape) for shape in shapes)


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


def piecewise(op, reference):
    return [OpCase(op, lambda rng: (rng.normal(size=(3, 4)) * 3,), reference),
            OpCase(op, lambda rng: (rng.integers(-5, 5, size=(4,)),), reference)]


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
    "Negative": [OpCase(ew.Negative, normal((3, 4)), np.negative)],
    "Square": [OpCase(ew.Square, normal((3, 4)), np.square),
               OpCase(ew.Square, lambda rng: (np.array([True, False]),), lambda x: x * 1)],
    "Sqrt": [OpCase(ew.Sqrt, positive((3, 4)), np.sqrt),
             OpCase(ew.Sqrt, lambda rng: (np.array([-1.0, 4.0]),),
                    lambda x: np.array([np.nan, 2.0]), grad_inputs=())],
    "Exp": [OpCase(ew.Exp, normal((3, 4)), np.exp)],
    "Expm1": [OpCase(ew.Expm1, lambda rng: (rng.normal(size=(3, 4)) * 1e-3,), np.expm1)],
    "Log": [OpCase(ew.Log, positive((3, 4)), np.log)],
    "Log1p": [OpCase(ew.Log1p, lambda rng: (rng.uniform(-0.5, 2.0, size=(3, 4)),), np.log1p)],
    "Absolute": [OpCase(ew.Absolute, lambda rng: (away_from_zero(rng, (3, 4)),), np.abs),
                 OpCase(ew.Absolute, lambda rng: (np.array([-3, 0, 2]),), np.abs)],
    "Reciprocal": [OpCase(ew.Reciprocal, lambda rng: (away_from_zero(rng, (3, 4)),),
                          lambda x: 1 / x)],
    "Tanh": [OpCase(ew.Tanh, normal((3, 4)), np.tanh)],
    "Sigmoid": [OpCase(ew.Sigmoid, lambda rng: (rng.normal(size=(3, 4)) * 4,),
                       lambda x: 1 / (1 + np.exp(-x))),
                OpCase(ew.Sigmoid, lambda rng: (np.array([-745.0, -30.0, 30.0, 745.0]),),
                       lambda x: np.array([np.exp(-745.0), np.exp(-30) / (1 + np.exp(-30)),
                                           1 / (1 + np.exp(-30)), 1.0]))],
    "Sin": [OpCase(ew.Sin, normal((3, 4)), np.sin)],
    "Cos": [OpCase(ew.Cos, normal((3, 4)), np.cos)],
    "Sign": piecewise(ew.Sign, np.sign),
    "Floor": piecewise(ew.Floor, np.floor),
    "Ceil": piecewise(ew.Ceil, np.ceil),
    "Round": [OpCase(ew.Round, lambda rng: (np.array([0.5, 1.5, 2.5, -0.5, 2.4]),),
                     lambda x: np.array([0.0, 2.0, 2.0, -0.0, 2.0])),
              OpCase(functools.partial(ew.Round, 1), normal((3, 4)), lambda x: np.round(x, 1))],
}
