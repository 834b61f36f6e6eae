"""The dense projections inside attention, as one GEMM over all steps and heads.

Keras's ``EinsumDense`` kernels ``(D, heads, K)`` (query, key, value) and
``(heads, K, E)`` (output) are read as matrices ``(D, heads·K)`` and
``(heads·K, E)``: a reshape, never a copy, so the product is one BLAS call.
"""


def project(x, kernel, bias):
    """``x (M, A) @ kernel.reshape(A, B) + bias.reshape(B)`` → ``(M, B)`` (bias may be None)."""
    matrix = kernel.reshape(x.shape[1], -1)
    y = x @ matrix
    if bias is not None:
        y += bias.reshape(-1)
    return y


def project_backward(x, dy, kernel, grads, kernel_key, bias_key):
    """Add ``dL/dkernel`` (and ``dL/dbias``) into ``grads``; return ``dL/dx (M, A)``.

    Args:
        x: ``(M, A)``, the input ``project`` read. dy: ``(M, B)``.
        bias_key: None when the projection has no bias.
    """
    matrix = kernel.reshape(x.shape[1], -1)
    grads[kernel_key] += (x.T @ dy).reshape(kernel.shape)
    if bias_key is not None:
        grads[bias_key] += dy.sum(axis=0).reshape(grads[bias_key].shape)
    return dy @ matrix.T
