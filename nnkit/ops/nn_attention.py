"""``dot_product_attention`` (Keras's ``keras.ops.nn``): softmax(scale·Q·Kᵀ + bias, masked)·V,
with grouped key/value heads; its backward written out by hand."""
import math

from nnkit.errors import InvalidArgumentError, ShapeError
from nnkit.ops.op import OPS, Op, unbroadcast

__all__ = ["dot_product_attention"]

#: what a masked logit becomes (Keras's value: -0.7 × the largest bfloat16)
_MASKED_LOGIT = -0.7 * 3.38953e38


@OPS.register
class DotProductAttention(Op):
    """softmax(scale·Q·Kᵀ + bias, masked) · V for each head; scale defaults to 1/√H.

    query (B, T, N, H); key and value (B, S, K, H), N a multiple of K (query head
    n = k·G + g, G = N // K, shares key/value head k); bias and mask broadcast to
    (B, N, T, S) (mask True: attend; ``is_causal``: query t sees keys s ≤ t); output
    (B, T, N, H). ``has_bias``/``has_mask`` say which of them follow value in the call.
    Backward, with P (B, N, T, S) the probabilities and dO the output's gradient:
    dV = Pᵀ·dO, dP = dO·Vᵀ, dA = P(dP - Σ_S dP·P) (0 where masked) for the logits A,
    dbias = dA summed to bias's shape, dQ = scale·dA·K, dK = scale·dAᵀ·Q (Σ over g).
    """

    name = "dot_product_attention"

    def __init__(self, scale=None, is_causal=False, flash_attention=None, has_bias=False,
                 has_mask=False):
        if flash_attention:
            raise InvalidArgumentError("ops.dot_product_attention: flash_attention=True is "
                                       "not supported (nnkit computes the plain attention)")
        self.scale, self.is_causal, self.flash_attention = scale, is_causal, flash_attention
        self.has_bias, self.has_mask = has_bias, has_mask

    def get_config(self):
        return {"scale": self.scale, "is_causal": self.is_causal,
                "flash_attention": self.flash_attention, "has_bias": self.has_bias,
                "has_mask": self.has_mask}

    def _check(self, query, key, value):
        if (query.ndim != 4 or key.ndim != 4 or value.shape[:3] != key.shape[:3]
                or query.shape[0] != key.shape[0] or query.shape[3] != key.shape[3]
                or query.shape[2] % key.shape[2]):
            raise ShapeError(f"ops.{self.name}: expected query (B, T, N, H), key and value "
                             f"(B, S, K, H) with N a multiple of K, received query "
                             f"{query.shape}, key {key.shape}, value {value.shape}")

    def forward(self, xp, query, key, value, *bias_and_mask):
        self._check(query, key, value)
        (B, T, N, H), (S, K) = query.shape, key.shape[1:3]
        q = query.transpose(0, 2, 1, 3).reshape(B, K, N // K, T, H)
        k, v = (a.transpose(0, 2, 1, 3)[:, :, None] for a in (key, value))  # (B, K, 1, S, .)
        scale = 1 / math.sqrt(H) if self.scale is None else self.scale
        logits = (scale * q @ k.swapaxes(-1, -2)).reshape(B, N, T, S)
        bias = bias_and_mask[0] if self.has_bias else None
        if bias is not None:
            logits = logits + bias.astype(logits.dtype, copy=False)
        allowed = bias_and_mask[-1].astype(bool) if self.has_mask else True
        if self.is_causal:
            allowed = allowed & xp.tri(T, S, dtype=bool)
        if allowed is not True:
            logits = xp.where(allowed, logits, _MASKED_LOGIT)
        p = xp.exp(logits - logits.max(axis=-1, keepdims=True))
        p /= p.sum(axis=-1, keepdims=True)
        out = (p.reshape(B, K, N // K, T, S) @ v).reshape(B, N, T, -1).transpose(0, 2, 1, 3)
        return out, (q, k, v, p, allowed, scale, None if bias is None else bias.shape)

    def backward(self, xp, cache, dy):
        q, k, v, p, allowed, scale, bias_shape = cache
        B, K, G, T, H = q.shape
        d_out = dy.transpose(0, 2, 1, 3).reshape(B, K, G, T, -1)
        p5 = p.reshape(B, K, G, T, -1)
        d_value = (p5.swapaxes(-1, -2) @ d_out).sum(axis=2).transpose(0, 2, 1, 3)
        d_p = d_out @ v.swapaxes(-1, -2)
        d_logits = (p5 * (d_p - (d_p * p5).sum(axis=-1, keepdims=True))).reshape(p.shape)
        if allowed is not True:
            d_logits = xp.where(allowed, d_logits, 0)
        d_logits5 = d_logits.reshape(p5.shape)
        d_query = (scale * d_logits5 @ k).reshape(B, K * G, T, H).transpose(0, 2, 1, 3)
        d_key = scale * (d_logits5.swapaxes(-1, -2) @ q).sum(axis=2).transpose(0, 2, 1, 3)
        grads = [d_query, d_key, d_value]
        if bias_shape is not None:
            grads.append(unbroadcast(xp, d_logits, bias_shape))
        if self.has_mask:
            grads.append(None)
        return tuple(grads)


def dot_product_attention(query, key, value, bias=None, mask=None, scale=None,
                          is_causal=False, flash_attention=None, attn_logits_soft_cap=None):
    """Keras's ``ops.dot_product_attention`` (see ``DotProductAttention`` for the shapes)."""
    if attn_logits_soft_cap is not None:
        raise InvalidArgumentError("ops.dot_product_attention: attn_logits_soft_cap is only "
                                   "supported by Keras's JAX backend on TPU; pass None")
    op = DotProductAttention(None if scale is None else float(scale), is_causal,
                             flash_attention, bias is not None, mask is not None)
    return op(query, key, value, *(t for t in (bias, mask) if t is not None))
