"""AdditiveAttention: Keras's Bahdanau-style attention over ``[query, value(, key)]``.

Scores (``DenseAttention`` does the rest)::

    S[t, s] = Σ_d scale_d · tanh(q_t + k_s)_d

``scale`` (shape ``(D,)``, Glorot uniform) exists only with ``use_scale``
(otherwise 1). Keras's layer has no query/key projections: project them first
(``Dense``) for the classic Bahdanau form.

Shapes: query ``(N, T, D)``; value ``(N, S, Dv)``; key ``(N, S, D)``; y ``(N, T, Dv)``;
the ``(N, T, S, D)`` tanh is kept for backward.

Example:
    >>> AdditiveAttention()([np.ones((2, 3, 4)), np.ones((2, 5, 4))]).shape
    (2, 3, 4)
"""
from nnkit import validation
from nnkit.layers.attention.dense_attention import DenseAttention
from nnkit.registry import register_layer


@register_layer
class AdditiveAttention(DenseAttention):
    """Additive attention (see the module docstring).

    Args:
        use_scale: learn the per-feature ``scale``.
        dropout, seed: as ``DenseAttention``.
    """

    def __init__(self, use_scale=True, dropout=0.0, seed=None, **kwargs):
        super().__init__(dropout=dropout, seed=seed, **kwargs)
        self.use_scale = validation.flag(self.where, "use_scale", use_scale)

    def build(self, input_shape):
        shapes = self.check_shapes(input_shape)
        if self.use_scale:
            self.add_weight("scale", (shapes[0][-1],), "glorot_uniform")
        super().build(shapes)

    def score(self, query, key):
        xp = self.xp
        tanh = query[:, :, None, :] + key[:, None, :, :]                  # (N, T, S, D)
        xp.tanh(tanh, out=tanh)
        if self.use_scale:
            return tanh @ self.params["scale"], tanh
        return tanh @ xp.ones(tanh.shape[-1], tanh.dtype), tanh

    def score_backward(self, tanh, d_scores):
        """``(dquery, dkey)``; works in the kept ``(N, T, S, D)`` tanh (its last use), and
        sums with products against vectors (BLAS) rather than ``(N, T, S, D)`` temporaries."""
        xp = self.xp
        if self.use_scale:
            self.grads["scale"] += d_scores.reshape(-1) @ tanh.reshape(-1, tanh.shape[-1])
        d_summed = tanh                                    # dS · scale · (1 − tanh²), in place
        xp.multiply(d_summed, d_summed, out=d_summed)
        xp.subtract(1, d_summed, out=d_summed)
        d_summed *= d_scores[..., None]
        if self.use_scale:
            d_summed *= self.params["scale"]
        over_keys = xp.ones((1, d_summed.shape[2]), d_summed.dtype) @ d_summed   # (N, T, 1, D)
        return over_keys[:, :, 0], d_summed.sum(axis=1)

    def get_config(self):
        return {**super().get_config(), "use_scale": self.use_scale}
