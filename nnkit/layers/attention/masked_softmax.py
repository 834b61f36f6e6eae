"""Softmax over the last axis of attention scores, with a mask, and its backward pass.

Two conventions, both Keras 3's:

- ``zero_masked=True`` (``MultiHeadAttention``, Keras's ``Softmax(mask=...)``):
  masked scores become ``-1e9`` before the softmax and masked weights become 0
  after it, so a fully masked row (a padded query step) has all-zero weights,
  never NaN.
- ``zero_masked=False`` (``Attention``, ``AdditiveAttention``): ``1e9`` is
  subtracted from masked scores and nothing is zeroed, so a fully masked row
  is the plain softmax of its scores.

Shapes: ``scores (..., T, S)``; ``mask`` broadcasts against it.
"""

#: what Keras 3 puts in (or subtracts from) a masked score, in float32 and float64
LARGE = 1e9


def masked_softmax(xp, scores, mask=None, zero_masked=True):
    """Attention weights ``(..., T, S)``, each row summing to 1 (or 0 where fully masked)."""
    if mask is not None:
        masked_value = -LARGE if zero_masked else scores - LARGE
        scores = xp.where(mask, scores, masked_value)
    shifted = scores - scores.max(axis=-1, keepdims=True)
    weights = xp.exp(shifted)
    weights /= weights.sum(axis=-1, keepdims=True)
    if mask is not None and zero_masked:
        weights = xp.where(mask, weights, 0)
    return weights


def masked_softmax_backward(weights, d_weights):
    """``dL/dscores`` from the weights and ``dL/dweights`` (masked entries get 0).

    ``ds = w ⊙ (dw − Σ_s dw ⊙ w)``; a masked entry has ``w = 0`` (or ``e^{-1e9} = 0``),
    so its gradient vanishes, and a zeroed row gets none at all.
    """
    return weights * (d_weights - (d_weights * weights).sum(axis=-1, keepdims=True))
