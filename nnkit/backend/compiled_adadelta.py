"""Adadelta's step through the compiled kernel (``kernels/adadelta_typed.h``).

NumPy runs the rule as ~14 whole-array passes; at an IMDB model's 10000 × 128 embedding
that is ~4 ms a step once a batch touches more than a quarter of the rows (the dense pass)
and ~1.6 ms below (two full-table decays of the averages, then the touched rows). The
kernel updates the rows a batch touched in one pass, with NumPy's operations in NumPy's
order (the same bits), and only counts the decay every other row is owed (``owed``); a row
gets its owed decays, one multiplication per step as the eager pass would have done them,
when it is next touched or when the averages are read (``settle``).

Shapes: param, grad, grad_sq, update_sq ``(V, ...)`` C-contiguous, one dtype; rows ``(R,)``;
owed ``(V,)`` int64.
"""
import ctypes

import numpy

from nnkit.backend.compiled_rows import row_index
from nnkit.backend.kernels import address

_NULL = ctypes.c_void_p(None)


class CompiledAdadelta:
    """Kernel ``adadelta``: the library's ``adadelta_f32`` / ``_f64`` and
    ``adadelta_settle_f32`` / ``_f64``."""

    def __init__(self, library):
        size, pointer, real = ctypes.c_int64, ctypes.c_void_p, ctypes.c_double
        self._step, self._settle = {}, {}
        for dtype, suffix in ((numpy.float32, "f32"), (numpy.float64, "f64")):
            function = getattr(library, f"adadelta_{suffix}")
            function.argtypes = [size, size, size, pointer, pointer] + [pointer] * 4 + [real] * 4
            function.restype = ctypes.c_int
            self._step[numpy.dtype(dtype)] = function
            function = getattr(library, f"adadelta_settle_{suffix}")
            function.argtypes = [size, size, pointer, pointer, pointer, real]
            function.restype = None
            self._settle[numpy.dtype(dtype)] = function

    def step(self, param, grad, grad_sq, update_sq, rows, owed, rho, epsilon, learning_rate):
        """One step in place; ``rows``: the only rows of ``grad`` that may be non-zero, or
        None; ``owed (V,)``: the decays each row is owed, None for a fresh count.

        Returns:
            ``owed`` (to pass to the next step and to ``settle``), or None, having done
            nothing, for operands it does not take (dtype, layout, an empty ``param``).
        """
        if not (param.dtype in self._step and param.ndim > 0 and param.size > 0
                and param.flags.writeable and all(
                    isinstance(a, numpy.ndarray) and a.dtype == param.dtype
                    and a.shape == param.shape and a.flags.c_contiguous
                    for a in (param, grad, grad_sq, update_sq))):
            return None
        if owed is None:
            owed = numpy.zeros(param.shape[0], numpy.int64)
        if rows is not None:
            rows = row_index(param, rows)
        status = self._step[param.dtype](
            param.shape[0], param.size // param.shape[0], 0 if rows is None else rows.size,
            _NULL if rows is None else address(rows), address(owed),
            *(address(a) for a in (param, grad, grad_sq, update_sq)),
            rho, 1.0 - rho, epsilon, learning_rate)
        if status != 0:
            raise IndexError("Adadelta: a gradient row index is outside the parameter")
        return owed

    def settle(self, owed, grad_sq, update_sq, rho):
        """Do every row's owed decays (``owed`` becomes zero)."""
        self._settle[grad_sq.dtype](grad_sq.shape[0], grad_sq.size // grad_sq.shape[0],
                                    address(owed), address(grad_sq), address(update_sq), rho)
