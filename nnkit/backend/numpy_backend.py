"""The NumPy backend: the CPU and the reference implementation."""
import numpy

from nnkit.backend.base import Backend
from nnkit.backend.host_memory import keep_freed_memory
from nnkit.backend.kernels import load_library


class NumpyBackend(Backend):
    """Arrays are host ``numpy.ndarray``s (freed memory is kept for reuse: ``host_memory``).

    Where the compiled kernels were built (``kernels``), ``matmul`` and the
    LSTM's time loop run them (``compiled_matmul``, ``compiled_lstm``).
    """

    name = "numpy"

    def __init__(self):
        super().__init__(numpy)
        keep_freed_memory()
        library = load_library()
        if library is not None:
            from nnkit.backend.compiled_lstm import CompiledLSTMLoop
            from nnkit.backend.compiled_matmul import CompiledMatmul
            self.lstm_loop, self.matmul = CompiledLSTMLoop(library), CompiledMatmul(library)

    def to_numpy(self, array):
        return numpy.asarray(array)
