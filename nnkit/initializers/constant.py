"""Deterministic initializers: ``Zeros``, ``Ones``, ``Constant(value)``, ``Identity(gain)``."""
import numpy

from nnkit.errors import ShapeError
from nnkit.initializers.base import Initializer


class Constant(Initializer):
    """Every entry equal to ``value`` (a number, or an array that broadcasts to the shape)."""

    def __init__(self, value=0.0):
        self.value = value

    def draw(self, shape):
        return numpy.broadcast_to(numpy.asarray(self.value, dtype="float64"), shape).copy()

    def get_config(self):
        value = numpy.asarray(self.value)
        return {"value": value.item() if value.ndim == 0 else value.tolist()}


class Zeros(Constant):
    """All zeros."""

    def __init__(self):
        super().__init__(0.0)

    def get_config(self):
        return {}


class Ones(Constant):
    """All ones."""

    def __init__(self):
        super().__init__(1.0)

    def get_config(self):
        return {}


class Identity(Initializer):
    """``gain`` times the identity matrix (ones on the main diagonal of a ``(D, H)`` matrix).

    Raises (on call):
        ShapeError: the shape is not two-dimensional.
    """

    def __init__(self, gain=1.0):
        self.gain = float(gain)

    def draw(self, shape):
        if len(shape) != 2:
            raise ShapeError(f"initializer Identity: only 2D matrices can be initialised, "
                             f"received shape {shape} of rank {len(shape)}")
        return self.gain * numpy.eye(*shape)

    def get_config(self):
        return {"gain": self.gain}
