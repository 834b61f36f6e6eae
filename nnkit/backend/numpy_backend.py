"""The NumPy backend: the CPU and the reference implementation."""
import numpy

from nnkit.backend.base import Backend
from nnkit.backend.host_memory import keep_freed_memory_if_asked
from nnkit.backend.kernels import load_library, selected_path

#: The NumPy backend's kernels (``Backend.kernel_table``; arguments and shapes in each module).
KERNEL_NAMES = (
    "matmul", "lstm_loop", "gru_loop",                         # compiled_matmul, _lstm, _gru
    "take_rows", "add_to_rows", "zero_rows", "add_run_sums", "scatter_add_rows",  # compiled_rows
    "csr_take_rows", "csr_matmul", "csr_add_transposed_product",  # compiled_csr
    "adadelta",                                                # compiled_adadelta
    "attention", "attention_backward",                         # compiled_attention
    "layer_norm", "layer_norm_backward",                       # compiled_layer_norm
    "bias_activation",                                         # compiled_bias_activation
)
#: The builds whose time loops, products, attention, layer normalisation and bias epilogues
#: run compiled (as fast as NumPy's OpenBLAS or faster, and on the loops' own threads, so no
#: OpenBLAS pool spins beside them); the baseline build (SSE2) keeps NumPy's BLAS, which
#: picks wider kernels at run time (benchmarks/README.md, "Portable builds").
LOOP_PATHS = ("avx512", "avx2", "native")


def compiled_kernels():
    """The kernel table from the compiled library: every one of ``KERNEL_NAMES``, None
    where this build does not run it, all None without the library (``NNKIT_COMPILED=0``)."""
    table = dict.fromkeys(KERNEL_NAMES)
    library = load_library()
    if library is None:
        return table
    from nnkit.backend.compiled_adadelta import CompiledAdadelta
    from nnkit.backend.compiled_csr import CompiledCSR
    from nnkit.backend.compiled_rows import CompiledRows
    rows, csr = CompiledRows(library), CompiledCSR(library)
    table.update(take_rows=rows.take_rows, add_to_rows=rows.add_to_rows,
                 zero_rows=rows.zero_rows, add_run_sums=rows.add_run_sums,
                 scatter_add_rows=rows.scatter_add_rows, csr_take_rows=csr.take_rows,
                 csr_matmul=csr.matmul, csr_add_transposed_product=csr.add_transposed_product,
                 adadelta=CompiledAdadelta(library))
    if selected_path() in LOOP_PATHS:
        from nnkit.backend.compiled_attention import CompiledAttention
        from nnkit.backend.compiled_bias_activation import CompiledBiasActivation
        from nnkit.backend.compiled_gru import CompiledGRULoop
        from nnkit.backend.compiled_layer_norm import CompiledLayerNorm
        from nnkit.backend.compiled_lstm import CompiledLSTMLoop
        from nnkit.backend.compiled_matmul import CompiledMatmul
        attention, layer_norm = CompiledAttention(library), CompiledLayerNorm(library)
        table.update(matmul=CompiledMatmul(library), lstm_loop=CompiledLSTMLoop(library),
                     gru_loop=CompiledGRULoop(library), attention=attention.forward,
                     attention_backward=attention.backward, layer_norm=layer_norm.forward,
                     layer_norm_backward=layer_norm.backward,
                     bias_activation=CompiledBiasActivation(library))
    return table


class NumpyBackend(Backend):
    """Arrays are host ``numpy.ndarray``s; its kernels are ``compiled_kernels()``.

    ``NNKIT_KEEP_FREED_MEMORY=1`` keeps freed host memory for reuse from its
    start (``host_memory``).
    """

    name = "numpy"

    def __init__(self):
        super().__init__(numpy, compiled_kernels())
        keep_freed_memory_if_asked()

    def to_numpy(self, array):
        return numpy.asarray(array)
