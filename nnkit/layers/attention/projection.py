"""The dense projections inside attention, as one GEMM over all steps and heads.

Keras's ``EinsumDense`` kernels ``(D, heads, K)`` (query, key, value) and
``(heads, K, E)`` (output) are read as matrices ``(D, heads·K)`` and
``(heads·K, E)``. Projections that read the same input (query, key and value in
self-attention) run as one product with their matrices side by side, ``(D, Σ B)``
(forward, and the kernels' gradients backward); a single projection's matrix is a
reshape, never a copy.
"""
from nnkit.backend import get_backend


def _joined(xp, width, kernels):
    """The kernels as matrices ``(width, B_i)`` side by side: ``(width, Σ B_i)``."""
    matrices = [kernel.reshape(width, -1) for kernel in kernels]
    return matrices[0] if len(matrices) == 1 else xp.concatenate(matrices, axis=1)


def project(x, kernels, biases):
    """``x (M, A) @ [kernel_1 | kernel_2 | ...] + [bias_1 | bias_2 | ...]`` → ``(M, Σ B_i)``.

    Args:
        kernels: arrays of ``A·B_i`` numbers each (read as ``(A, B_i)``).
        biases: one per kernel, of ``B_i`` numbers, or None for every one (no bias).
    """
    xp = get_backend().xp
    y = x @ _joined(xp, x.shape[1], kernels)
    if biases is not None:
        bias = xp.concatenate([bias.reshape(-1) for bias in biases])
        if get_backend().run_kernel("bias_activation", y, bias, "linear") is None:
            y += bias
    return y


def project_backward(x, dy, kernels, grads, kernel_keys, bias_keys):
    """Add each ``dL/dkernel_i`` (and ``dL/dbias_i``) into ``grads`` (one product for all);
    return ``[dL/dx through projection i (M, A), ...]``, one per kernel (the inputs they
    reached may be distinct positions of a layer's call, each getting its own gradient).

    Args:
        x: ``(M, A)``, the input ``project`` read. dy: ``(M, Σ B_i)``.
        kernel_keys, bias_keys: the gradients' keys, one per kernel; bias_keys None when
            the projections have no bias.
    """
    kernel_grads = x.T @ dy
    bias_grads = None if bias_keys is None else dy.sum(axis=0)
    dxs, start = [], 0
    for index, (kernel, key) in enumerate(zip(kernels, kernel_keys)):
        stop = start + kernel.size // x.shape[1]
        grads[key] += kernel_grads[:, start:stop].reshape(kernel.shape)
        if bias_keys is not None:
            grads[bias_keys[index]] += bias_grads[start:stop].reshape(grads[bias_keys[index]].shape)
        dxs.append(dy[:, start:stop] @ kernel.reshape(x.shape[1], -1).T)
        start = stop
    return dxs
