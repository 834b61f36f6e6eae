"""Weight initializers, drawn from nnkit's generator (see ``nnkit.random``).

An initializer is a name or a ``(name, kwargs)`` pair in configs; ``get``
turns either into a callable ``init(shape) -> host float64 array``.

- ``glorot_uniform``: U(-l, l), l = sqrt(6 / (fan_in + fan_out)).
- ``orthogonal``: an orthogonal matrix (QR of a Gaussian), per square block
  for fused recurrent kernels ``(H, k·H)`` so every gate's block is orthogonal.
- ``zeros``, ``ones``.
- ``uniform`` (U(-scale, scale)), ``normal`` (N(0, scale²)).
"""
import math

import numpy

from nnkit import random
from nnkit.errors import InvalidArgumentError


def _fans(shape):
    """``(fan_in, fan_out)``; a convolution kernel ``(*window, C, F)`` counts its window (Keras)."""
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


def glorot_uniform(shape):
    fan_in, fan_out = _fans(shape)
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return random.generator().uniform(-limit, limit, size=shape)


def _orthogonal_matrix(rows, cols):
    a = random.generator().normal(size=(max(rows, cols), min(rows, cols)))
    q, r = numpy.linalg.qr(a)
    q *= numpy.sign(numpy.diag(r))
    return q if rows >= cols else q.T


def orthogonal(shape, gain=1.0):
    rows, cols = shape[0], int(numpy.prod(shape[1:]))
    if cols % rows == 0:
        matrix = numpy.concatenate(
            [_orthogonal_matrix(rows, rows) for _ in range(cols // rows)], axis=1)
    else:
        matrix = _orthogonal_matrix(rows, cols)
    return gain * matrix.reshape(shape)


def zeros(shape):
    return numpy.zeros(shape)


def ones(shape):
    return numpy.ones(shape)


def uniform(shape, scale=0.05):
    return random.generator().uniform(-scale, scale, size=shape)


def normal(shape, scale=0.05):
    return random.generator().normal(0.0, scale, size=shape)


_INITIALIZERS = {f.__name__: f for f in (glorot_uniform, orthogonal, zeros, ones, uniform, normal)}


def get(spec):
    """The initializer ``init(shape)`` named by ``spec``: a name or ``(name, kwargs)``.

    Raises:
        InvalidArgumentError: unknown name.
    """
    name, kwargs = (spec, {}) if isinstance(spec, str) else tuple(spec)
    if name not in _INITIALIZERS:
        raise InvalidArgumentError(
            f"unknown initializer {name!r}: expected one of {sorted(_INITIALIZERS)}")
    function = _INITIALIZERS[name]
    return lambda shape: function(shape, **kwargs)
