"""Cases for ``nnkit/ops/reductions.py``.

Ties are checked where JAX's rule and the numerical gradient agree: a maximum held by exactly
two elements takes half the gradient each (a central difference gives that too).
"""
import functools

import numpy as np

from nnkit.ops import reductions as red
from op_cases.case import OpCase


def normal(shape):
    return lambda rng: (rng.normal(size=shape),)


def reduction_cases(op_class, reference, inputs=normal):
    """``axis`` None, an int with ``keepdims``, a negative int, and a tuple on a rank-3 array."""
    return [OpCase(op_class, inputs((3, 4)), lambda x: reference(x, axis=None)),
            OpCase(functools.partial(op_class, 1, True), inputs((3, 4)),
                   lambda x: reference(x, axis=1, keepdims=True)),
            OpCase(functools.partial(op_class, -1), inputs((2, 3, 4)),
                   lambda x: reference(x, axis=-1)),
            OpCase(functools.partial(op_class, (0, 2)), inputs((2, 3, 4)),
                   lambda x: reference(x, axis=(0, 2)))]


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


def norm_case(ord, axis, shape, keepdims=False):
    return OpCase(lambda: red.Norm(ord, axis, keepdims), normal(shape),
                  lambda x: np.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims))


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
    "Var": reduction_cases(red.Var, np.var),
    "Std": reduction_cases(red.Std, np.std),
    "Logsumexp": reduction_cases(red.Logsumexp, lambda x, axis, keepdims=False:
                                 np.logaddexp.reduce(x, axis=axis, keepdims=keepdims))
    + [OpCase(functools.partial(red.Logsumexp, 1),
              lambda rng: (rng.normal(size=(2, 3)) + np.array([[1000.0], [-1000.0]]),),
              lambda x: np.logaddexp.reduce(x, axis=1))],
    "Norm": [norm_case(None, None, (5,)), norm_case(None, -1, (3, 4), keepdims=True),
             norm_case(None, None, (2, 3, 4)), norm_case(1, 1, (3, 4)),
             norm_case(np.inf, 0, (3, 4)), norm_case(-np.inf, 1, (3, 4)),
             norm_case(3, 1, (3, 4)), norm_case(-1.5, None, (4,)),
             norm_case("fro", (1, 2), (2, 3, 4)), norm_case(1, None, (3, 4)),
             norm_case(np.inf, (0, 1), (3, 4)), norm_case(-1, (1, 0), (3, 4)),
             norm_case(-np.inf, (2, 0), (2, 3, 4), keepdims=True)],
    "Any": reduction_cases(red.Any, np.any, lambda shape: lambda rng: (rng.random(shape) > 0.7,)),
    "All": reduction_cases(red.All, np.all, lambda shape: lambda rng: (rng.random(shape) > 0.3,)),
    "Argmax": [OpCase(red.Argmax, normal((3, 4)), np.argmax),
               OpCase(lambda: red.Argmax(1, keepdims=True), normal((3, 4)),
                      lambda x: np.argmax(x, axis=1, keepdims=True)),
               OpCase(functools.partial(red.Argmax, -1), lambda rng: (np.array([-0.0, 0.0]),),
                      lambda x: 1)],
    "Argmin": [OpCase(red.Argmin, normal((3, 4)), np.argmin),
               OpCase(functools.partial(red.Argmin, 0), normal((3, 4)),
                      lambda x: np.argmin(x, axis=0)),
               OpCase(red.Argmin, lambda rng: (np.array([0.0, -0.0]),), lambda x: 1)],
    "Cumsum": [OpCase(red.Cumsum, normal((2, 3)), np.cumsum),
               OpCase(functools.partial(red.Cumsum, 1), normal((2, 3, 4)),
                      lambda x: np.cumsum(x, axis=1)),
               OpCase(functools.partial(red.Cumsum, -3), normal((2, 3, 4)),
                      lambda x: np.cumsum(x, axis=0)),
               OpCase(red.Cumsum, lambda rng: (np.array([True, True, False]),),
                      lambda x: np.array([1, 2, 2]))],
}
