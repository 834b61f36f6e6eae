"""Softmax over the last axis of attention scores, with a mask, and its backward pass.

The NumPy computation: ``Attention`` and ``AdditiveAttention`` always use it,
``MultiHeadAttention`` where the backend has no ``attention`` kernel (CuPy, the baseline
build, ``NNKIT_COMPILED=0``); the kernel computes the same (``tests/test_compiled_attention.py``).

Two conventions, both Keras 3's:

- ``zero_masked=True`` (``MultiHeadAttention``, Keras's ``Softmax(mask=...)``):
  masked scores become ``-1e9`` before the softmax and masked weights become 0
  after it, so a fully masked row (a padded query step) has all-zero weights,
  never NaN.
- ``zero_masked=False`` (``Attention``, ``AdditiveAttention``): ``1e9`` is
  subtracted from masked scores and nothing is zeroed, so a fully masked row
  is the plain softmax of its scores.

Both passes work in the big ``(..., T, S)`` array they are handed (the caller's
fresh scores or ``dL/dweights``), with no temporary of that size: the masks are
written with ``copyto``, and the row sums and row dot products are products with
a vector (``nnkit/layers/row_sums.py``).

Shapes: ``scores (..., T, S)``; ``mask`` broadcasts against it.
"""

from nnkit.layers.row_sums import row_dot, row_sum

#: what Keras 3 puts in (or subtracts from) a masked score, in float32 and float64
LARGE = 1e9


def masked_softmax(xp, scores, mask=None, zero_masked=True):
    """Attention weights ``(..., T, S)``, each row summing to 1 (or 0 where fully masked),
    computed in ``scores`` itself (the caller hands over a fresh array)."""
    weights = scores
    large = weights.dtype.type(LARGE)
    if mask is not None:
        hidden = xp.logical_not(mask)
        if zero_masked:
            xp.copyto(weights, -large, where=hidden)
        else:
            weights -= hidden * large
    weights -= _row_max(xp, weights)
    xp.exp(weights, out=weights)
    weights /= row_sum(xp, weights)
    if mask is not None and zero_masked:
        weights *= mask
    return weights


def masked_softmax_backward(weights, d_weights):
    """``dL/dscores`` from the weights and ``dL/dweights`` (masked entries get 0), computed in
    ``d_weights`` itself (the caller hands over a fresh array).

    ``ds = w ⊙ (dw − Σ_s dw ⊙ w)``; a masked entry has ``w = 0`` (or ``e^{-1e9} = 0``),
    so its gradient vanishes, and a zeroed row gets none at all.
    """
    d_weights -= row_dot(d_weights, weights)
    d_weights *= weights
    return d_weights


def _row_max(xp, x):
    """Row maxima ``(..., 1)``. NumPy's ``fmax.reduce`` is ~1.6x its ``max`` on rows this
    short (a NaN in a row still makes the whole row NaN, through the exp); other
    backends take ``max``."""
    if xp.__name__ == "numpy":
        return xp.fmax.reduce(x, axis=-1, keepdims=True)
    return x.max(axis=-1, keepdims=True)
