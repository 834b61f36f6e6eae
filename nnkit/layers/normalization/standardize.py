"""The affine standardisation both normalisation layers share, forward and backward.

``x̂ = (x − μ) / √(σ² + ε)`` and ``y = γ ⊙ x̂ + β``, where ``μ`` and ``σ²`` are
weighted moments over the reduced axes: ``μ = Σ_q w_q x_q``,
``σ² = Σ_q w_q (x_q − μ)²`` with ``Σ_q w_q = 1`` (``w`` uniform, or zero at
masked steps). With ``g = dL/dx̂ = γ ⊙ dy``, for each position p::

    dL/dx_p = inv ⊙ (g_p − w_p Σ_q g_q − w_p x̂_p Σ_q g_q x̂_q)

(``inv = 1/√(σ² + ε)``); the sums run over every position, masked ones too,
since their outputs are standardised with the same moments.
"""


from nnkit.backend import get_backend
from nnkit.layers.row_sums import row_sum


def axis_sum(x, axes):
    """``x`` summed over ``axes`` (kept as size-1 axes); over the last axis alone as a product
    with a vector (``row_sums``: LayerNormalization's usual case)."""
    if tuple(axes) == (x.ndim - 1,):
        return row_sum(get_backend().xp, x)
    return x.sum(axis=axes, keepdims=True)


def moments(x, axes, weights):
    """``(μ, σ²)`` over ``axes`` (kept as size-1 axes); ``weights`` sum to 1 over them, or
    None."""
    if weights is None:
        count = 1
        for a in axes:
            count *= x.shape[a]
        mean = axis_sum(x, axes) * (1.0 / count)
        centered = x - mean
        centered *= centered
        return mean, axis_sum(centered, axes) * (1.0 / count)
    mean = (x * weights).sum(axis=axes, keepdims=True)
    return mean, (((x - mean) ** 2) * weights).sum(axis=axes, keepdims=True)


def standardize(xp, x, mean, variance, epsilon):
    """``(x̂, inv)``."""
    inv = 1.0 / xp.sqrt(variance + epsilon)
    x_hat = x - mean
    x_hat *= inv
    return x_hat, inv


def standardize_backward(g, x_hat, inv, axes, weights, count):
    """``dL/dx`` from ``g = dL/dx̂`` when the moments were computed from ``x`` itself.

    Args:
        weights: the moments' weights (broadcastable to ``x``), or None for
            uniform weights ``1 / count``.
    """
    total = axis_sum(g, axes)
    projected = axis_sum(g * x_hat, axes)
    w = 1.0 / count if weights is None else weights
    return inv * (g - w * (total + x_hat * projected))
