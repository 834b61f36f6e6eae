"""Cases for ``nnkit/ops/reductions.py``.

Ties are checked where JAX's rule and the numerical gradient agree: a maximum held by exactly
two elements takes half the gradient each (a central difference gives that too).
"""
import functools

import numpy as np

from nnkit.ops import reductions as red
from op_cases.case import OpCase
from op_cases.common import reduction_cases


def two_way_tie(rng):
    """Rows whose maximum is held by exactly two elements (columns 1 and 2)."""
    x = rng.normal(size=(3, 4))
    x[:, 1] = x[:, 2] = x.max(axis=1) + 1.0
    return (x,)


def with_zeros(rng):
    """A row with one zero, a row with two, a row without."""
    x = rng.normal(size=(3, 4))
    x[0, 1] = x[1, 0] = x[1, 3] = 0.0
    return (x,)


CASES = {
    "Sum": reduction_cases(red.Sum, np.sum)
    + [OpCase(red.Sum, lambda rng: (rng.random((3, 4)) > 0.5,), np.sum)],
    "Mean": reduction_cases(red.Mean, np.mean)
    + [OpCase(red.Mean, lambda rng: (np.array([1, 2, 4]),), lambda x: np.float32(7 / 3))],
    "Max": reduction_cases(red.Max, np.max)
    + [OpCase(functools.partial(red.Max, 1), two_way_tie, lambda x: np.max(x, axis=1)),
       OpCase(lambda: red.Max(1, initial=0.25), lambda rng: (rng.normal(size=(5, 3)) - 0.5,),
              lambda x: np.max(x, axis=1, initial=0.25))],
    "Min": reduction_cases(red.Min, np.min)
    + [OpCase(functools.partial(red.Min, 1), lambda rng: (-two_way_tie(rng)[0],),
              lambda x: np.min(x, axis=1))],
    "Prod": reduction_cases(red.Prod, np.prod)
    + [OpCase(functools.partial(red.Prod, 1), with_zeros, lambda x: np.prod(x, axis=1)),
       OpCase(red.Prod, lambda rng: (rng.normal(size=(2, 3)) * np.array([1.0, 0.0, 1.0]),),
              np.prod)],
    "Any": reduction_cases(red.Any, np.any, lambda shape: lambda rng: (rng.random(shape) > 0.7,)),
    "All": reduction_cases(red.All, np.all, lambda shape: lambda rng: (rng.random(shape) > 0.3,)),
}
