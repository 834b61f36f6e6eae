"""Cases for ``nnkit/ops/nn.py``. References are the textbook formulas in NumPy (and
``math.erf`` for the exact GELU); inputs keep away from kinks (0 for relu, ±3 for
hard_sigmoid, the clip bounds of the cross-entropies)."""
import math

import numpy as np

from nnkit.ops import nn
from op_cases.case import OpCase

SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def away_from(*kinks, shape=(3, 4), scale=4.0):
    """Normal draws times ``scale``, each moved at least 0.05 away from every kink."""
    def make(rng):
        x = rng.normal(size=shape) * scale
        for kink in kinks:
            x = np.where(np.abs(x - kink) < 0.05, kink + 0.05 * np.sign(x - kink + 1e-9), x)
        return (x,)
    return make


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def erf(x):
    return np.vectorize(math.erf)(x)


def plain_softmax(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


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


def activation_case(op, reference, inputs=away_from(0.0)):
    return [OpCase(op, inputs, reference)]


CASES = {
    "Relu": activation_case(nn.Relu, lambda x: np.where(x > 0, x, 0)),
    "Relu6": activation_case(nn.Relu6, lambda x: np.where(x < 0, 0, np.where(x > 6, 6, x)),
                             away_from(0.0, 6.0)),
    "LeakyRelu": activation_case(nn.LeakyRelu, lambda x: np.where(x > 0, x, 0.2 * x))
    + activation_case(lambda: nn.LeakyRelu(0.01), lambda x: np.where(x > 0, x, 0.01 * x)),
    "Elu": activation_case(nn.Elu, lambda x: np.where(x > 0, x, np.exp(x) - 1))
    + activation_case(lambda: nn.Elu(0.5), lambda x: np.where(x > 0, x, 0.5 * (np.exp(x) - 1))),
    "Selu": activation_case(nn.Selu, lambda x: SELU_SCALE * np.where(
        x > 0, x, SELU_ALPHA * (np.exp(x) - 1))),
    "Gelu": activation_case(nn.Gelu, lambda x: 0.5 * x * (1 + np.tanh(
        np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3))))
    + activation_case(lambda: nn.Gelu(approximate=False),
                      lambda x: 0.5 * x * (1 + erf(x / np.sqrt(2))))
    + activation_case(lambda: nn.Gelu(approximate=False),            # every range of erfc
                      lambda x: 0.5 * x * (1 + erf(x / np.sqrt(2))),
                      lambda rng: (np.array([-12.0, -6.0, -1.0, -0.3, 0.2, 0.6, 2.0, 5.9, 9.0]),)),
    "Silu": activation_case(nn.Silu, lambda x: x * sigmoid(x)),
    "Softplus": activation_case(nn.Softplus, lambda x: np.log1p(np.exp(x)))
    + activation_case(nn.Softplus, lambda x: np.array([0.0, 800.0]),    # no overflow
                      lambda rng: (np.array([-800.0, 800.0]),)),
    "LogSigmoid": activation_case(nn.LogSigmoid, lambda x: np.log(sigmoid(x))),
    "Softsign": activation_case(nn.Softsign, lambda x: x / (1 + np.abs(x))),
    "HardSigmoid": activation_case(nn.HardSigmoid, lambda x: np.where(
        x < -3, 0, np.where(x > 3, 1, x / 6 + 0.5)), away_from(-3.0, 3.0)),
    "HardSilu": activation_case(nn.HardSilu, lambda x: x * np.where(
        x < -3, 0, np.where(x > 3, 1, x / 6 + 0.5)), away_from(-3.0, 3.0)),
    "Softmax": [
        OpCase(nn.Softmax, lambda rng: (rng.normal(size=(3, 5)),), plain_softmax),
        OpCase(lambda: nn.Softmax(0), lambda rng: (rng.normal(size=(3, 5)),),
               lambda x: plain_softmax(x, 0)),
        OpCase(lambda: nn.Softmax((0, 2)), lambda rng: (rng.normal(size=(2, 3, 4)),),
               lambda x: np.moveaxis(plain_softmax(
                   np.moveaxis(x, 1, 0).reshape(3, 8), -1).reshape(3, 2, 4), 0, 1)),
        OpCase(nn.Softmax, lambda rng: (rng.normal(size=(2, 4)) + 1000,),  # no overflow
               plain_softmax)],
    "LogSoftmax": [
        OpCase(nn.LogSoftmax, lambda rng: (rng.normal(size=(3, 5)),),
               lambda x: np.log(plain_softmax(x))),
        OpCase(lambda: nn.LogSoftmax(1), lambda rng: (rng.normal(size=(2, 3, 4)) * 3 - 900,),
               lambda x: np.log(plain_softmax(x, 1)))],
    "OneHot": [
        OpCase(lambda: nn.OneHot(4), lambda rng: (np.array([[0, 3, -1], [2, 2, 1]]),),
               lambda x: np.where(x[..., None] >= 0, np.eye(4)[x], 0)),
        OpCase(lambda: nn.OneHot(3, axis=0, dtype="int32"), lambda rng: (np.array([2, 0]),),
               lambda x: np.array([[0, 1], [0, 0], [1, 0]]))],
    "Normalize": [
        OpCase(nn.Normalize, lambda rng: (rng.normal(size=(3, 4)),),
               lambda x: x / np.sqrt(np.sum(x * x, axis=-1, keepdims=True))),
        OpCase(lambda: nn.Normalize(axis=(0, 2), order=1), away_from(0.0, shape=(2, 3, 2)),
               lambda x: x / np.sum(np.abs(x), axis=(0, 2), keepdims=True)),
        OpCase(lambda: nn.Normalize(order=3), away_from(0.0, shape=(2, 3)),
               lambda x: x / np.cbrt(np.sum(np.abs(x) ** 3, axis=-1, keepdims=True))),
        OpCase(lambda: nn.Normalize(epsilon=10.0), lambda rng: (rng.normal(size=(2, 3)),),
               lambda x: x / 10.0)],                                      # norm below ε
    "DotProductAttention": [
        OpCase(nn.DotProductAttention, qkv(2, 3, 4, 2, 2), attention),
        OpCase(lambda: nn.DotProductAttention(scale=0.3, is_causal=True), qkv(1, 4, 4, 4, 2),
               lambda q, k, v: attention(q, k, v, scale=0.3, causal=True)),
        OpCase(lambda: nn.DotProductAttention(has_bias=True, has_mask=True),
               lambda rng: qkv(2, 3, 5, 4, 2)(rng) + (rng.normal(size=(4, 3, 5)),
                                                      with_a_true_key(rng, (2, 1, 3, 5))),
               attention)],
    "BinaryCrossentropy": [
        OpCase(nn.BinaryCrossentropy, lambda rng: (rng.uniform(size=(3, 4)),
                                                   rng.uniform(0.05, 0.95, size=(3, 4))),
               lambda t, p: -(t * np.log(p) + (1 - t) * np.log(1 - p))),
        OpCase(nn.BinaryCrossentropy, lambda rng: (rng.uniform(size=4),      # clipped to ε
                                                   np.array([0.0, 1.0, 0.5, 0.25])),
               lambda t, p: -(t * np.log(np.clip(p, 1e-7, 1 - 1e-7))
                              + (1 - t) * np.log(1 - np.clip(p, 1e-7, 1 - 1e-7))),
               grad_inputs=(0,)),
        OpCase(lambda: nn.BinaryCrossentropy(from_logits=True),
               lambda rng: (rng.uniform(size=(3, 4)), rng.normal(size=(3, 4)) * 3),
               lambda t, z: -(t * np.log(sigmoid(z)) + (1 - t) * np.log(1 - sigmoid(z))))],
    "CategoricalCrossentropy": [
        OpCase(nn.CategoricalCrossentropy,
               lambda rng: (rng.dirichlet(np.ones(4), size=3), 2 * rng.dirichlet(np.ones(4), 3)),
               lambda t, p: -np.sum(t * np.log(p / p.sum(axis=-1, keepdims=True)), axis=-1)),
        OpCase(lambda: nn.CategoricalCrossentropy(from_logits=True, axis=0),
               lambda rng: (rng.dirichlet(np.ones(4), size=3).T.copy(), rng.normal(size=(4, 3))),
               lambda t, z: -np.sum(t * np.log(plain_softmax(z, 0)), axis=0))],
    "SparseCategoricalCrossentropy": [
        OpCase(nn.SparseCategoricalCrossentropy,
               lambda rng: (np.array([0, 3, 1]), rng.uniform(0.1, 1, size=(3, 4))),
               lambda t, p: -np.log((p / p.sum(axis=-1, keepdims=True))[np.arange(3), t])),
        OpCase(lambda: nn.SparseCategoricalCrossentropy(from_logits=True),
               lambda rng: (np.array([[2], [-1]]), rng.normal(size=(2, 3))),  # -1: no class
               lambda t, z: np.array([-np.log(plain_softmax(z)[0, 2]), 0.0]))],
}
