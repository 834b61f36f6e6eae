"""Random initializers with fixed parameters: ``RandomNormal``, ``RandomUniform``,
``TruncatedNormal`` and ``Orthogonal`` (Keras's defaults and draws)."""
import math

import numpy

from nnkit.errors import ShapeError
from nnkit.initializers.base import RandomInitializer, truncated_normal


class RandomNormal(RandomInitializer):
    """N(mean, stddev²) draws."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev = float(mean), float(stddev)
        super().__init__(seed)

    def draw(self, shape):
        return self.generator().normal(self.mean, self.stddev, size=shape)

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomNormal):
    """N(mean, stddev²) draws, redrawn while more than two stddev from the mean."""

    def draw(self, shape):
        return truncated_normal(self.generator(), shape, self.mean, self.stddev)


class RandomUniform(RandomInitializer):
    """U(minval, maxval) draws."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval = float(minval), float(maxval)
        super().__init__(seed)

    def draw(self, shape):
        return self.generator().uniform(self.minval, self.maxval, size=shape)

    def get_config(self):
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


class Orthogonal(RandomInitializer):
    """``gain`` times an orthogonal matrix (Keras's Orthogonal, Saxe et al. 2014).

    The weight is viewed as a matrix ``(rows, cols)`` = ``(prod(shape[:-1]), shape[-1])``;
    the QR factors of a Gaussian ``(max, min)`` matrix give orthonormal columns (signs
    fixed by ``diag(R)`` so the result is uniform over orthogonal matrices), transposed
    when ``rows < cols`` so that the rows are orthonormal then.

    Differs from Keras: a fused recurrent kernel ``(H, k·H)`` (``cols`` a multiple of
    ``rows``) gets k independent orthogonal ``(H, H)`` blocks, one per gate, where Keras
    makes the k·H columns' rows orthonormal together (no gate's block orthogonal).

    Raises (on call):
        ShapeError: the shape has fewer than two axes.
    """

    def __init__(self, gain=1.0, seed=None):
        self.gain = float(gain)
        super().__init__(seed)

    def draw(self, shape):
        if len(shape) < 2:
            raise ShapeError(f"initializer Orthogonal: the weight must have at least two "
                             f"axes, received shape {shape} of rank {len(shape)}")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        generator = self.generator()
        if cols > rows and cols % rows == 0:
            matrix = numpy.concatenate([_orthogonal(generator, rows, rows)
                                        for _ in range(cols // rows)], axis=1)
        else:
            matrix = _orthogonal(generator, rows, cols)
        return self.gain * matrix.reshape(shape)

    def get_config(self):
        return {**super().get_config(), "gain": self.gain}


def _orthogonal(generator, rows, cols):
    """A ``(rows, cols)`` matrix with orthonormal columns (rows when ``rows < cols``)."""
    q, r = numpy.linalg.qr(generator.normal(size=(max(rows, cols), min(rows, cols))))
    q *= numpy.sign(numpy.diag(r))
    return q if rows >= cols else q.T
