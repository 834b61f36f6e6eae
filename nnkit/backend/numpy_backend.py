"""The NumPy backend: the CPU and the reference implementation."""
import numpy

from nnkit.backend import compiled_lstm
from nnkit.backend.base import Backend
from nnkit.backend.host_memory import keep_freed_memory


class NumpyBackend(Backend):
    """Arrays are host ``numpy.ndarray``s (freed memory is kept for reuse: ``host_memory``).

    The LSTM's time loop is compiled C (``compiled_lstm``) where it was built.
    """

    name = "numpy"

    def __init__(self):
        super().__init__(numpy)
        keep_freed_memory()
        self.lstm_loop = compiled_lstm.load()

    def to_numpy(self, array):
        return numpy.asarray(array)
