"""Adadelta's step through the compiled kernel (``kernels/adadelta_typed.h``).

NumPy runs the rule as ~14 whole-array passes; at an IMDB model's 10000 × 128 embedding
that is ~4 ms a step once a batch touches more than a quarter of the rows (the dense pass)
and ~1.6 ms below (two full-table decays of the averages, then the touched rows). The
kernel does either in one pass over the four arrays, split between the threads, with
NumPy's operations in NumPy's order (the same bits).

Shapes: param, grad, grad_sq, update_sq ``(V, ...)`` C-contiguous, one dtype; rows ``(R,)``.
"""
import ctypes

import numpy

from nnkit.backend.compiled_rows import row_index
from nnkit.backend.kernels import address

_NULL = ctypes.c_void_p(None)


class CompiledAdadelta:
    """The library's ``adadelta_f32`` / ``adadelta_f64``."""

    def __init__(self, library):
        size, pointer, real = ctypes.c_int64, ctypes.c_void_p, ctypes.c_double
        self._step = {}
        for dtype, suffix in ((numpy.float32, "f32"), (numpy.float64, "f64")):
            function = getattr(library, f"adadelta_{suffix}")
            function.argtypes = [size, size, size, pointer] + [pointer] * 4 + [real] * 4
            function.restype = ctypes.c_int
            self._step[numpy.dtype(dtype)] = function

    def step(self, param, grad, grad_sq, update_sq, rows, rho, epsilon, learning_rate):
        """One Adadelta step in place (``rows``: the only rows of ``grad`` that may be
        non-zero, or None); False (nothing done) for operands it does not take."""
        function = self._step.get(param.dtype)
        arrays = (param, grad, grad_sq, update_sq)
        if function is None or param.ndim == 0 or param.size == 0 or not all(
                isinstance(a, numpy.ndarray) and a.dtype == param.dtype and
                a.shape == param.shape and a.flags.c_contiguous for a in arrays) or \
                not param.flags.writeable:
            return False
        if rows is not None:
            rows = row_index(param, rows)
            if rows is None:
                return False
        status = function(param.shape[0], param.size // param.shape[0],
                          0 if rows is None else rows.size,
                          _NULL if rows is None else address(rows),
                          *(address(a) for a in arrays), rho, 1.0 - rho, epsilon, learning_rate)
        if status != 0:
            raise IndexError("Adadelta: a gradient row index is outside the parameter")
        return True
