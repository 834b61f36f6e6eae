"""The NumPy backend: the CPU and the reference implementation."""
import numpy

from nnkit.backend.base import Backend


class NumpyBackend(Backend):
    """Arrays are host ``numpy.ndarray``s."""

    name = "numpy"

    def __init__(self):
        super().__init__(numpy)

    def to_numpy(self, array):
        return numpy.asarray(array)
