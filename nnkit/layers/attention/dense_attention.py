"""The base of Keras's ``Attention`` and ``AdditiveAttention``: scores, softmax, weighted values.

For ``[query, value]`` or ``[query, value, key]`` (key defaults to value)::

    S = score(query, key)                          (N, T, S)
    W = softmax(S − 1e9·(1 − value_mask·causal))   (Keras: masked rows are not zeroed)
    y = query_mask ⊙ (dropout(W) · value)          (N, T, Dv)

``mask=[query_mask, value_mask]``; the query's mask is passed on. A subclass
gives ``score(q, k) -> (S, cache)`` and ``score_backward(cache, dS) -> (dq, dk)``
(adding its weights' gradients into ``grads``).
"""
from nnkit import validation
from nnkit.layers.attention.attention_inputs import AttentionInputs
from nnkit.layers.attention.masked_softmax import masked_softmax, masked_softmax_backward
from nnkit.layers.attention.masks import combine
from nnkit.layers.dropout import dropout_mask


class DenseAttention(AttentionInputs):
    """Shared forward and backward of the dot-product and additive attention layers.

    Args:
        dropout: rate of dropout on the attention weights (training only).
        seed: kept in the config (dropout draws from ``nnkit.random``).
    """

    def __init__(self, dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.dropout = validation.rate(self.where, "dropout", dropout)
        self.seed = seed

    def example_output_shape(self, input_shape):
        shapes = self.check_shapes(input_shape)
        return (shapes[0][0], shapes[1][-1])

    def scores_shape(self, shapes):
        return (shapes[0][0], shapes[1][0])

    def attend(self, xs, masks, training, attention_mask, use_causal_mask, return_scores):
        """``(y (N, T, Dv), weights (N, T, S))``; keeps what backward needs when training."""
        xp = self.xp
        query, value = xs[0], xs[1]
        key = xs[2] if len(xs) > 2 else value
        scores, score_cache = self.score(query, key)
        mask = combine(xp, query.shape[1], value.shape[1], value_mask=masks[1],
                       causal=use_causal_mask)
        weights = masked_softmax(xp, scores, mask, zero_masked=False)
        keep = None
        if training and self.dropout > 0:
            keep = dropout_mask(weights.shape, self.dropout, weights.dtype)
        dropped = weights if keep is None else weights * keep
        y = dropped @ value
        query_mask = None if masks[0] is None else masks[0][:, :, None]
        if query_mask is not None:
            y = xp.where(query_mask, y, 0)
        if training:
            self._cache = {"value": value, "weights": weights, "keep": keep, "dropped": dropped,
                           "query_mask": query_mask, "score": score_cache}
        return y, weights

    def attend_backward(self, dy, d_scores):
        """``[dquery, dvalue(, dkey)]`` from ``dL/dy`` and ``dL/dweights`` (or None)."""
        c, self._cache = self._cache, None
        if c["query_mask"] is not None:
            dy = self.xp.where(c["query_mask"], dy, 0)
        d_value = c["dropped"].swapaxes(-1, -2) @ dy
        d_weights = dy @ c["value"].swapaxes(-1, -2)
        if c["keep"] is not None:
            d_weights *= c["keep"]
        if d_scores is not None:
            d_weights += d_scores
        d_query, d_key = self.score_backward(c["score"],
                                             masked_softmax_backward(c["weights"], d_weights))
        if c["inputs"] == 2:
            return [d_query, d_value + d_key]
        return [d_query, d_value, d_key]

    def score(self, query, key):
        raise NotImplementedError

    def score_backward(self, cache, d_scores):
        raise NotImplementedError

    def get_config(self):
        return {**super().get_config(), "dropout": self.dropout, "seed": self.seed}
