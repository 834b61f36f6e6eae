"""The NumPy backend: the CPU and the reference implementation."""
import numpy

from nnkit.backend.base import Backend
from nnkit.backend.host_memory import keep_freed_memory
from nnkit.backend.kernels import load_library


class NumpyBackend(Backend):
    """Arrays are host ``numpy.ndarray``s (freed memory is kept for reuse: ``host_memory``).

    Where the compiled kernels were built (``kernels``), ``matmul``, the
    LSTM's time loop and the row updates run them (``compiled_matmul``,
    ``compiled_lstm``, ``compiled_rows``).
    """

    name = "numpy"

    def __init__(self):
        super().__init__(numpy)
        keep_freed_memory()
        library = load_library()
        self._rows = None
        if library is not None:
            from nnkit.backend.compiled_adadelta import CompiledAdadelta
            from nnkit.backend.compiled_gru import CompiledGRULoop
            from nnkit.backend.compiled_lstm import CompiledLSTMLoop
            from nnkit.backend.compiled_matmul import CompiledMatmul
            from nnkit.backend.compiled_rows import CompiledRows
            from nnkit.backend.kernels import selected_path
            # the loops and products run compiled on the AVX-512 and AVX2 builds (products: as
            # fast as NumPy's OpenBLAS or faster, and on the loop's own threads, so no OpenBLAS
            # pool spins beside them); the baseline build (SSE2) keeps NumPy's BLAS, which picks
            # wider kernels at run time, and uses the CSR and row kernels only
            # (benchmarks/README.md, "Portable builds")
            if selected_path() in ("avx512", "avx2", "native"):
                self.lstm_loop, self.gru_loop = CompiledLSTMLoop(library), CompiledGRULoop(library)
                self.matmul = CompiledMatmul(library)
            self._rows = CompiledRows(library)
            self.adadelta = CompiledAdadelta(library)

    def zero_rows(self, target, rows):
        if self._rows is None or not self._rows.zero_rows(target, rows):
            super().zero_rows(target, rows)

    def take_rows(self, source, rows):
        taken = None if self._rows is None else self._rows.take_rows(source, rows)
        return super().take_rows(source, rows) if taken is None else taken

    def add_to_rows(self, target, rows, delta):
        if self._rows is None or not self._rows.add_to_rows(target, rows, delta):
            super().add_to_rows(target, rows, delta)

    def add_run_sums(self, target, rows, values, starts, lengths):
        if self._rows is None or not self._rows.add_run_sums(target, rows, values, starts,
                                                             lengths):
            super().add_run_sums(target, rows, values, starts, lengths)

    def scatter_add_rows(self, target, index, values):
        rows = None if self._rows is None else self._rows.scatter_add_rows(target, index, values)
        return super().scatter_add_rows(target, index, values) if rows is None else rows

    def to_numpy(self, array):
        return numpy.asarray(array)
