"""What the compiled recurrent loops share: the ctypes entry points and one checked call.

A loop (``compiled_lstm.CompiledLSTMLoop``, ``compiled_gru.CompiledGRULoop``) has a
forward and a backward function per dtype, each taking the packed batch's step
count, step sizes, step offsets and H, then its buffers. Every buffer must be
C-contiguous and of z's dtype; a C function returns non-zero when it ran out of
memory for its packed weights.
"""
import ctypes

import numpy

from nnkit.backend.kernels import address


class CompiledLoop:
    """The forward/backward pair of a compiled loop, per dtype.

    Args:
        library: the loaded ``cpu_kernels`` library.
        prefix: ``"lstm"`` or ``"gru"`` (functions ``<prefix>_forward_f32`` ...).
        buffers: how many buffers each function takes after ``(steps, sizes, offsets, H)``.
        blocks: column blocks of z (``z.shape[1] = blocks · H``).
    """

    def __init__(self, library, prefix, buffers, blocks):
        pointer, size = ctypes.c_void_p, ctypes.c_int64
        self.name, self.blocks = prefix.upper(), blocks
        self._functions = {}
        for dtype, suffix in ((numpy.dtype(numpy.float32), "f32"),
                              (numpy.dtype(numpy.float64), "f64")):
            functions = tuple(getattr(library, f"{prefix}_{which}_{suffix}")
                              for which in ("forward", "backward"))
            for function in functions:
                function.argtypes = [size, pointer, pointer, size] + [pointer] * buffers
                function.restype = ctypes.c_int
            self._functions[dtype] = functions

    def supports(self, dtype):
        return numpy.dtype(dtype) in self._functions

    def call(self, which, batch, z, arrays):
        """Run function ``which`` (0 forward, 1 backward) over ``batch`` on ``arrays`` (z first)."""
        function = self._functions[z.dtype][which]
        for array in arrays:
            if array is not None and not (array.dtype == z.dtype and array.flags.c_contiguous):
                raise ValueError(f"compiled {self.name} loop: every buffer must be C-contiguous "
                                 f"{z.dtype}, received {array.dtype} "
                                 f"(contiguous: {array.flags.c_contiguous})")
        status = function(len(batch.batch_sizes), address(batch.step_sizes),
                          address(batch.step_offsets), z.shape[1] // self.blocks,
                          *(None if a is None else address(a) for a in arrays))
        if status != 0:
            raise MemoryError(f"compiled {self.name} loop: out of memory for its packed weights")
