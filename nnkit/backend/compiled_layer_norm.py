"""Layer normalisation over the last axis through the compiled kernel
(``kernels/layer_norm_typed.h``).

NumPy normalises in eight whole-array passes (mean, centring, squares, variance,
centring again, scaling, γ, β); the kernel reads each row once and writes ``y``
(and ``x̂``, ``inv`` for backward), rows shared among the threads.

Shapes: x, y, x_hat, dy, dx ``(..., D)`` C-contiguous; gamma, beta ``(D,)`` or None;
inv ``(...,)`` (one per row).
"""
import ctypes

import numpy

from nnkit.backend.kernels import address, optional_address, typed_functions

class CompiledLayerNorm:
    """Kernels ``layer_norm`` and ``layer_norm_backward`` (each returns None, having done
    nothing, for operands it does not take: ``Backend``'s kernel convention)."""

    def __init__(self, library):
        size, pointer = ctypes.c_int64, ctypes.c_void_p
        self._forward = typed_functions(
            library, "layer_norm_forward",
            lambda real: [size, size] + [pointer] * 3 + [real] + [pointer] * 3, None)
        self._backward = typed_functions(library, "layer_norm_backward",
                                         [size, size] + [pointer] * 5, None)

    def forward(self, x, gamma, beta, epsilon, keep_for_backward):
        """``(y, x_hat, inv)`` (the last two None unless ``keep_for_backward``)."""
        function = self._forward.get(x.dtype) if isinstance(x, numpy.ndarray) else None
        if function is None or x.ndim < 1 or not x.flags.c_contiguous or x.size == 0 \
                or not all(_vector_ok(p, x) for p in (gamma, beta)):
            return None
        rows, width = x.size // x.shape[-1], x.shape[-1]
        y = numpy.empty_like(x)
        x_hat = numpy.empty_like(x) if keep_for_backward else None
        inv = numpy.empty(x.shape[:-1] + (1,), x.dtype) if keep_for_backward else None
        function(rows, width, address(x), optional_address(gamma), optional_address(beta), epsilon,
                 address(y), optional_address(x_hat), optional_address(inv))
        return y, x_hat, inv

    def backward(self, dy, gamma, x_hat, inv):
        """``dL/dx`` from ``dy`` and the forward's ``x_hat``, ``inv``."""
        function = self._backward.get(dy.dtype) if isinstance(dy, numpy.ndarray) else None
        if function is None or not all(isinstance(a, numpy.ndarray) and a.dtype == dy.dtype
                                       and a.flags.c_contiguous for a in (dy, x_hat, inv)) \
                or x_hat.shape != dy.shape or inv.size * dy.shape[-1] != dy.size \
                or not _vector_ok(gamma, dy):
            return None
        dx = numpy.empty_like(dy)
        function(dy.size // dy.shape[-1], dy.shape[-1], address(dy), optional_address(gamma),
                 address(x_hat), address(inv), address(dx))
        return dx


def _vector_ok(vector, x):
    """Whether ``vector`` is None or a contiguous ``(D,)`` array of ``x``'s dtype."""
    return vector is None or (isinstance(vector, numpy.ndarray) and vector.dtype == x.dtype
                              and vector.shape == x.shape[-1:] and vector.flags.c_contiguous)
