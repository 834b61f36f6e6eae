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
        tanh = self.xp.tanh(query[:, :, None, :] + key[:, None, :, :])    # (N, T, S, D)
        if self.use_scale:
            return tanh @ self.params["scale"], tanh
        return tanh.sum(axis=-1), tanh

    def score_backward(self, tanh, d_scores):
        d_tanh = d_scores[..., None]
        if self.use_scale:
            self.grads["scale"] += (d_tanh * tanh).sum(axis=(0, 1, 2))
            d_tanh = d_tanh * self.params["scale"]
        d_summed = d_tanh * (1 - tanh * tanh)
        return d_summed.sum(axis=2), d_summed.sum(axis=1)

    def get_config(self):
        return {**super().get_config(), "use_scale": self.use_scale}
