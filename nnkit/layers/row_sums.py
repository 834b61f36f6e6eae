"""Sums along the last axis of many short rows, as products with a vector.

NumPy reduces each row of tens to hundreds of numbers (attention weights over S
steps, a LayerNormalization's D features) with its pairwise loop on one thread,
several times slower than the BLAS product ``x @ ones``, which the backend runs on
its threads. Shapes: ``x (..., D)`` → ``(..., 1)``.
"""


def row_dot(a, b):
    """``Σ_d a[..., d] · b[..., d]`` as ``(..., 1)``; ``b`` may be one vector ``(D,)``."""
    if b.ndim == 1:
        return (a @ b)[..., None]
    return (a[..., None, :] @ b[..., :, None])[..., 0]


def row_sum(xp, x):
    """``Σ_d x[..., d]`` as ``(..., 1)``."""
    return row_dot(x, xp.ones(x.shape[-1], x.dtype))
