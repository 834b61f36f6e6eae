"""The weights and normaliser of a per-entry loss (sample weights, class weights, masks)."""
import math

from nnkit import config
from nnkit.backend import get_backend


def loss_weighting(entries_shape, mask, sample_weight):
    """Weights and normaliser of the per-entry loss.

    Per-example weights ``(N,)`` average over all entries (Keras); a mask or
    per-step weights ``(N, T)`` average over the valid steps only (theano-lstm's
    masked loss). Returns ``(weights or None, normaliser)``.
    """
    backend = get_backend()
    rank = len(entries_shape)
    weights = None if sample_weight is None else backend.asarray(sample_weight,
                                                                 dtype=config.floatx())
    per_step = (mask is not None and mask.ndim == rank) or (
        weights is not None and rank > 1 and weights.ndim == rank)
    if weights is not None and weights.ndim < rank:
        weights = weights.reshape(weights.shape + (1,) * (rank - weights.ndim))
    if per_step and mask is not None and mask.ndim == rank:
        valid = mask.astype(config.floatx())
        weights = valid if weights is None else valid * weights
    if weights is None:
        return None, float(math.prod(entries_shape))
    weights = backend.xp.broadcast_to(weights, entries_shape)
    if per_step:
        return weights, max(float((weights > 0).sum()), 1.0)
    return weights, float(math.prod(entries_shape))
