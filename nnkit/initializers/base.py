"""The initializer protocol (Keras's): ``init(shape, dtype=None) -> array``, ``get_config``.

An initializer draws on the host with NumPy and returns a host array; the layer moves
it to the backend. A random initializer without a seed draws from nnkit's generator
(``nnkit.random``), so ``nnkit.random.set_seed`` makes a run repeatable; with an integer
``seed`` it draws from its own generator started at that seed on every call, so it
gives the same values each time (as Keras 3's seeded initializers do).
"""
import math

import numpy

from nnkit import config, random
from nnkit.errors import InvalidArgumentError, ShapeError


def compute_fans(shape):
    """``(fan_in, fan_out)`` of a weight of ``shape`` (Keras's rule).

    A vector counts its length for both; a matrix ``(D, H)`` gives ``(D, H)``; a
    convolution kernel ``(*window, C, F)`` multiplies ``C`` and ``F`` by the window size.
    """
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    """Base class: a subclass gives ``draw(shape)`` (a float64 host array) and ``get_config``."""

    def __call__(self, shape, dtype=None):
        """A host array of ``shape`` and ``dtype`` (default ``nnkit.config.floatx()``).

        Raises:
            ShapeError: ``shape`` is not a sequence of non-negative integers.
        """
        return numpy.ascontiguousarray(self.draw(_standard_shape(shape, type(self).__name__)),
                                       dtype=dtype or config.floatx())

    def draw(self, shape):
        raise NotImplementedError

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config_dict):
        return cls(**config_dict)

    def clone(self):
        return type(self).from_config(self.get_config())

    def __repr__(self):
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({arguments})"


def _standard_shape(shape, owner):
    try:
        sizes = tuple(int(size) for size in shape)
    except (TypeError, ValueError):
        raise ShapeError(f"initializer {owner}: expected a shape (a tuple of integers), "
                         f"received {shape!r}") from None
    if any(size < 0 for size in sizes):
        raise ShapeError(f"initializer {owner}: expected non-negative sizes, received {sizes}")
    return sizes


class RandomInitializer(Initializer):
    """Base class of the random initializers: holds the ``seed`` (None or an integer)."""

    def __init__(self, seed=None):
        if seed is not None and (isinstance(seed, bool) or not isinstance(
                seed, (int, numpy.integer))):
            raise InvalidArgumentError(f"initializer {type(self).__name__}: seed must be None "
                                       f"or an integer, received {seed!r}")
        self.seed = None if seed is None else int(seed)

    def generator(self):
        """nnkit's generator when unseeded; a fresh generator at ``seed`` otherwise."""
        return random.generator() if self.seed is None else numpy.random.default_rng(self.seed)

    def get_config(self):
        return {"seed": self.seed}


def truncated_normal(generator, shape, mean, stddev):
    """Normal draws kept within two standard deviations of the mean (others drawn again)."""
    values = generator.standard_normal(size=shape)
    outside = numpy.abs(values) > 2.0
    while outside.any():
        values[outside] = generator.standard_normal(size=int(outside.sum()))
        outside = numpy.abs(values) > 2.0
    return mean + stddev * values
