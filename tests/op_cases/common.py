"""Input makers and plain NumPy references shared by several case files (no cases here)."""
import functools

import numpy as np

from op_cases.case import OpCase


def normal(*shapes):
    """``rng -> arrays``: one standard normal float64 array per shape."""
    return lambda rng: tuple(rng.normal(size=shape) for shape in shapes)


def positive(*shapes):
    """``rng -> arrays``: arrays of ``shapes`` in ``[0.3, 2]``."""
    return lambda rng: tuple(rng.uniform(0.3, 2.0, size=shape) for shape in shapes)


def away_from_zero(rng, shape, low=0.5, high=2.0):
    """Values of either sign with ``low <= |x| <= high``."""
    return rng.uniform(low, high, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def away_from(*kinks, shape=(3, 4), scale=4.0):
    """``rng -> (x,)``: normal draws times ``scale``, each moved at least 0.05 away from every
    kink."""
    def make(rng):
        x = rng.normal(size=shape) * scale
        for kink in kinks:
            x = np.where(np.abs(x - kink) < 0.05, kink + 0.05 * np.sign(x - kink + 1e-9), x)
        return (x,)
    return make


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def plain_softmax(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def reduction_cases(op_class, reference, inputs=normal):
    """``axis`` None, an int with ``keepdims``, a negative int, and a tuple on a rank-3 array."""
    return [OpCase(op_class, inputs((3, 4)), lambda x: reference(x, axis=None)),
            OpCase(functools.partial(op_class, 1, True), inputs((3, 4)),
                   lambda x: reference(x, axis=1, keepdims=True)),
            OpCase(functools.partial(op_class, -1), inputs((2, 3, 4)),
                   lambda x: reference(x, axis=-1)),
            OpCase(functools.partial(op_class, (0, 2)), inputs((2, 3, 4)),
                   lambda x: reference(x, axis=(0, 2)))]
