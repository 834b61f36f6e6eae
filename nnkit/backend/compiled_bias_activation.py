"""A bias and an activation after a product, in place, through the compiled kernel
(``kernels/bias_activation_typed.h``).

After ``z = x · kernel`` NumPy adds the bias as a row broadcast (its inner loop restarted
for every row) and takes ``maximum(z, 0)`` (no SIMD loop for a scalar operand): ~0.4 ms for
a (4096, 128) float32 ``z`` on an AVX2 machine, against one pass on both threads here.

Shapes: z ``(..., U)`` C-contiguous; bias ``(U,)`` or None.
"""
import ctypes

import numpy

from nnkit.backend.kernels import address, optional_address, typed_functions

#: the activations the kernel applies (others: None, the caller runs NumPy's)
ACTIVATIONS = {"linear": 0, "relu": 1}


class CompiledBiasActivation:
    """Kernel ``bias_activation(z, bias, activation)``: ``z = activation(z + bias)`` in place;
    returns ``z``, or None, having done nothing, for operands it does not take."""

    def __init__(self, library):
        size, pointer = ctypes.c_int64, ctypes.c_void_p
        self._functions = typed_functions(library, "bias_activation",
                                          [size, size, pointer, pointer, ctypes.c_int], None)

    def __call__(self, z, bias, activation):
        function = self._functions.get(z.dtype) if isinstance(z, numpy.ndarray) else None
        if (function is None or activation not in ACTIVATIONS or z.ndim < 1 or z.size == 0
                or not z.flags.c_contiguous or not z.flags.writeable
                or (bias is not None and not (isinstance(bias, numpy.ndarray)
                                              and bias.dtype == z.dtype
                                              and bias.shape == z.shape[-1:]
                                              and bias.flags.c_contiguous))):
            return None
        function(z.size // z.shape[-1], z.shape[-1], address(z), optional_address(bias),
                 ACTIVATIONS[activation])
        return z
