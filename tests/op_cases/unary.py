"""Cases for ``nnkit/ops/unary.py``. Gradient inputs keep away from kinks (0 for ``abs``)
and from the domain's edge (``sqrt``, ``log``)."""
import functools

import numpy as np

from nnkit.ops import unary as un
from op_cases.case import OpCase
from op_cases.common import away_from_zero, normal, positive


def piecewise(op, reference):
    return [OpCase(op, lambda rng: (rng.normal(size=(3, 4)) * 3,), reference),
            OpCase(op, lambda rng: (rng.integers(-5, 5, size=(4,)),), reference)]


CASES = {
    "Negative": [OpCase(un.Negative, normal((3, 4)), np.negative)],
    "Square": [OpCase(un.Square, normal((3, 4)), np.square),
               OpCase(un.Square, lambda rng: (np.array([True, False]),), lambda x: x * 1)],
    "Sqrt": [OpCase(un.Sqrt, positive((3, 4)), np.sqrt),
             OpCase(un.Sqrt, lambda rng: (np.array([-1.0, 4.0]),),
                    lambda x: np.array([np.nan, 2.0]), grad_inputs=())],
    "Exp": [OpCase(un.Exp, normal((3, 4)), np.exp)],
    "Expm1": [OpCase(un.Expm1, lambda rng: (rng.normal(size=(3, 4)) * 1e-3,), np.expm1)],
    "Log": [OpCase(un.Log, positive((3, 4)), np.log)],
    "Log1p": [OpCase(un.Log1p, lambda rng: (rng.uniform(-0.5, 2.0, size=(3, 4)),), np.log1p)],
    "Absolute": [OpCase(un.Absolute, lambda rng: (away_from_zero(rng, (3, 4)),), np.abs),
                 OpCase(un.Absolute, lambda rng: (np.array([-3, 0, 2]),), np.abs)],
    "Reciprocal": [OpCase(un.Reciprocal, lambda rng: (away_from_zero(rng, (3, 4)),),
                          lambda x: 1 / x)],
    "Tanh": [OpCase(un.Tanh, normal((3, 4)), np.tanh)],
    "Sigmoid": [OpCase(un.Sigmoid, lambda rng: (rng.normal(size=(3, 4)) * 4,),
                       lambda x: 1 / (1 + np.exp(-x))),
                OpCase(un.Sigmoid, lambda rng: (np.array([-745.0, -30.0, 30.0, 745.0]),),
                       lambda x: np.array([np.exp(-745.0), np.exp(-30) / (1 + np.exp(-30)),
                                           1 / (1 + np.exp(-30)), 1.0]))],
    "Sin": [OpCase(un.Sin, normal((3, 4)), np.sin)],
    "Cos": [OpCase(un.Cos, normal((3, 4)), np.cos)],
    "Sign": piecewise(un.Sign, np.sign),
    "Floor": piecewise(un.Floor, np.floor),
    "Ceil": piecewise(un.Ceil, np.ceil),
    "Round": [OpCase(un.Round, lambda rng: (np.array([0.5, 1.5, 2.5, -0.5, 2.4]),),
                     lambda x: np.array([0.0, 2.0, 2.0, -0.0, 2.0])),
              OpCase(functools.partial(un.Round, 1), normal((3, 4)), lambda x: np.round(x, 1))],
}
