"""Keras 3.15's initializer fans for attention kernels (keras-team/keras#22789).

Since 3.15 ``EinsumDense`` tells a ``VarianceScaling`` initializer (Glorot, He,
LeCun...) which kernel axes are inputs and which are outputs: the query kernel
``(D, heads, K)`` has ``fan_in = D`` and ``fan_out = heads·K``; the output kernel
``(heads, K, E)`` has ``fan_in = heads·K`` and ``fan_out = E``. Drawing the
kernel as that matrix and reshaping it gives exactly these fans. Other
initializers draw the kernel's own shape, as Keras does.
"""
import math

from nnkit import initializers
from nnkit.initializers.variance_scaling import VarianceScaling


def kernel_initializer(spec, fan_in):
    """An initializer for an attention kernel whose first ``fan_in``-sized axes are inputs.

    Args:
        spec: any form ``nnkit.initializers.get`` reads.
        fan_in: how many leading axes are input axes (1 for query/key/value, 2 for output).
    """
    initializer = initializers.get(spec)
    if not isinstance(initializer, VarianceScaling):
        return initializer

    def draw(shape, dtype=None):
        rows = math.prod(shape[:fan_in])
        return initializer((rows, math.prod(shape[fan_in:])), dtype=dtype).reshape(shape)

    return draw
