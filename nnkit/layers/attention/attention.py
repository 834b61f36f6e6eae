"""Attention: Keras's dot-product (Luong) or concat attention over ``[query, value(, key)]``.

Scores (``DenseAttention`` does the rest)::

    "dot":    S[t, s] = scale · q_t · k_s
    "concat": S[t, s] = c · Σ_d tanh(scale · (q_t + k_s))_d

``scale`` (shape ``()``, starts at 1) exists only with ``use_scale``, ``c``
(``concat_score_weight``, shape ``()``, starts at 1) only in "concat" mode.

Shapes: query ``(N, T, D)``; value ``(N, S, Dv)``; key ``(N, S, D)``; y ``(N, T, Dv)``.

Example:
    >>> Attention()([np.ones((2, 3, 4)), np.ones((2, 5, 4))]).shape
    (2, 3, 4)
"""
from nnkit import validation
from nnkit.layers.attention.dense_attention import DenseAttention
from nnkit.registry import register_layer


def _scalar_one(shape, dtype=None):
    """Keras's "ones" for a weight of shape ``()`` (nnkit's initializers return at least 1-D)."""
    return 1.0


@register_layer
class Attention(DenseAttention):
    """Dot-product attention (see the module docstring).

    Args:
        use_scale: learn the scalar ``scale``.
        score_mode: "dot" or "concat".
        dropout, seed: as ``DenseAttention``.
    """

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(dropout=dropout, seed=seed, **kwargs)
        self.use_scale = validation.flag(self.where, "use_scale", use_scale)
        self.score_mode = validation.one_of(self.where, "score_mode", score_mode,
                                            ("dot", "concat"))

    def build(self, input_shape):
        shapes = self.check_shapes(input_shape)
        if self.use_scale:
            self.add_weight("scale", (), _scalar_one)
        if self.score_mode == "concat":
            self.add_weight("concat_score_weight", (), _scalar_one)
        super().build(shapes)

    def score(self, query, key):
        scale = self.params["scale"] if self.use_scale else 1.0
        if self.score_mode == "dot":
            product = query @ key.swapaxes(-1, -2)
            return product * scale, (query, key, product)
        summed = query[:, :, None, :] + key[:, None, :, :]            # (N, T, S, D)
        tanh = self.xp.tanh(scale * summed)
        return self.params["concat_score_weight"] * tanh.sum(axis=-1), (query, key, summed, tanh)

    def score_backward(self, cache, d_scores):
        scale = self.params["scale"] if self.use_scale else 1.0
        if self.score_mode == "dot":
            query, key, product = cache
            if self.use_scale:
                self.grads["scale"] += (d_scores * product).sum()
            d_product = d_scores * scale
            return d_product @ key, d_product.swapaxes(-1, -2) @ query
        query, key, summed, tanh = cache
        self.grads["concat_score_weight"] += (d_scores * tanh.sum(axis=-1)).sum()
        d_inner = (d_scores * self.params["concat_score_weight"])[..., None] * (1 - tanh * tanh)
        if self.use_scale:
            self.grads["scale"] += (d_inner * summed).sum()
        d_summed = d_inner * scale
        return d_summed.sum(axis=2), d_summed.sum(axis=1)

    def get_config(self):
        return {**super().get_config(), "use_scale": self.use_scale,
                "score_mode": self.score_mode}
