"""Cases for ``nnkit/ops/nn_attention.py``: the reference is the attention of each head
written with ``np.einsum`` (key/value heads repeated for grouped queries)."""
import numpy as np

from nnkit.ops import nn_attention as att
from op_cases.case import OpCase
from op_cases.common import plain_softmax


def qkv(batch, queries, keys, heads, kv_heads, size=3):
    """query (B, T, N, H), key and value (B, S, K, H)."""
    return lambda rng: (rng.normal(size=(batch, queries, heads, size)),
                        rng.normal(size=(batch, keys, kv_heads, size)),
                        rng.normal(size=(batch, keys, kv_heads, size)))


def with_a_true_key(rng, shape):
    """A random boolean mask whose every row lets at least key 0 through."""
    mask = rng.uniform(size=shape) < 0.6
    mask[..., 0] = True
    return mask


def attention(q, k, v, bias=0.0, mask=True, scale=None, causal=False):
    """Per head n: softmax(scale·q_n k_nᵀ + bias, masked) v_n, key/value heads repeated."""
    groups = q.shape[2] // k.shape[2]
    k, v = np.repeat(k, groups, axis=2), np.repeat(v, groups, axis=2)
    scale = 1 / np.sqrt(q.shape[-1]) if scale is None else scale
    logits = np.einsum("btnh,bsnh->bnts", q, k) * scale + bias
    if causal:
        mask = mask & (np.arange(k.shape[1])[None, :] <= np.arange(q.shape[1])[:, None])
    probs = plain_softmax(np.where(mask, logits, -np.inf))
    return np.einsum("bnts,bsnh->btnh", probs, v)


CASES = {
    "DotProductAttention": [
        OpCase(att.DotProductAttention, qkv(2, 3, 4, 2, 2), attention),
        OpCase(lambda: att.DotProductAttention(scale=0.3, is_causal=True), qkv(1, 4, 4, 4, 2),
               lambda q, k, v: attention(q, k, v, scale=0.3, causal=True)),
        OpCase(lambda: att.DotProductAttention(has_bias=True, has_mask=True),
               lambda rng: qkv(2, 3, 5, 4, 2)(rng) + (rng.normal(size=(4, 3, 5)),
                                                      with_a_true_key(rng, (2, 1, 3, 5))),
               attention)],
}
