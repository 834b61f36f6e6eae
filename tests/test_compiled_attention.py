"""The compiled attention kernels equal plain attention, and MultiHeadAttention gives the same
outputs, scores and gradients with them as without them (its NumPy path).

The reference here is written from the formulas, per (batch, head), independently of both
``attention_typed.h`` and ``multi_head_attention.py``.
"""
import os
import subprocess
import sys

import numpy as np
import pytest

import nnkit
from nnkit.backend import get_backend
from nnkit.backend.kernels import selected_path
from nnkit.backend.numpy_backend import LOOP_PATHS
from nnkit.testing import check_gradients
from tests.test_compiled_kernels import without_kernels

pytestmark = pytest.mark.skipif(selected_path() not in LOOP_PATHS,
                                reason="the compiled attention runs on AVX-512 and AVX2 builds")

#: (N, heads, T, S, K, Kv): widths below, at and above a vector; T over several row blocks
SHAPES = [(2, 3, 5, 7, 4, 6), (3, 2, 50, 61, 16, 16), (1, 1, 100, 3, 5, 9),
          (2, 2, 97, 128, 8, 32), (1, 2, 1, 1, 1, 1)]


def plain_attention(q, k, v, mask, keep, d_out, d_extra):
    """``(out, weights, dq, dk, dv)`` per (batch, head), from the formulas."""
    n, heads, t, s = q.shape[0], q.shape[1], q.shape[2], k.shape[2]
    weights = np.zeros((n, heads, t, s))
    out = np.zeros(q.shape[:3] + (v.shape[3],))
    dq, dk, dv = np.zeros(q.shape), np.zeros(k.shape), np.zeros(v.shape)
    for b in range(n):
        visible = np.ones((t, s), bool) if mask is None else \
            np.broadcast_to(mask, (n, t, s))[b]
        for h in range(heads):
            scores = q[b, h].astype(np.float64) @ k[b, h].T.astype(np.float64)
            w = np.zeros((t, s))
            for row in range(t):
                if visible[row].any():
                    e = np.exp(scores[row, visible[row]] - scores[row, visible[row]].max())
                    w[row, visible[row]] = e / e.sum()
            multiplier = 1.0 if keep is None else keep[b, h].astype(np.float64)
            weights[b, h] = w
            out[b, h] = (w * multiplier) @ v[b, h]
            dw = (d_out[b, h] @ v[b, h].T) * multiplier
            if d_extra is not None:
                dw = dw + d_extra[b, h]
            ds = w * (dw - (dw * w).sum(axis=1, keepdims=True))
            dq[b, h], dk[b, h] = ds @ k[b, h], ds.T @ q[b, h]
            dv[b, h] = (w * multiplier).T @ d_out[b, h]
    return out, weights, dq, dk, dv


def head_views(rng, n, heads, steps, width, dtype, scale=1.0):
    """``(N, heads, steps, width)`` views of a padded ``(N, steps, heads, width + 3)`` array: the
    strided layout MultiHeadAttention hands the kernel."""
    flat = rng.normal(scale=scale, size=(n, steps, heads, width + 3)).astype(dtype)
    return flat[..., :width].transpose(0, 2, 1, 3)


def empty_heads(n, heads, steps, width, dtype):
    return np.empty((n, steps, heads, width), dtype).transpose(0, 2, 1, 3)


def make_mask(rng, kind, n, t, s):
    if kind == "random":
        mask = rng.random((n, t, s)) > 0.4
        mask[0, 0] = False                                  # a fully masked row
        return mask
    if kind == "causal":
        return (np.arange(t)[:, None] >= np.arange(s)[None, :])[None]
    if kind == "query":
        mask = rng.random((n, t, 1)) > 0.3                  # broadcast over S
        return mask
    return None


@pytest.mark.parametrize("dtype, tolerance", [("float64", 1e-12), ("float32", 3e-6)])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: "x".join(map(str, shape)))
@pytest.mark.parametrize("mask_kind", [None, "random", "causal", "query"])
@pytest.mark.parametrize("dropout", [False, True])
def test_kernels_equal_plain_attention(dtype, tolerance, shape, mask_kind, dropout):
    rng = np.random.default_rng(hash((shape, mask_kind, dropout)) % 2**32)
    n, heads, t, s, k, kv = shape
    q, key = head_views(rng, n, heads, t, k, dtype), head_views(rng, n, heads, s, k, dtype)
    value, d_out = head_views(rng, n, heads, s, kv, dtype), head_views(rng, n, heads, t, kv, dtype)
    mask = make_mask(rng, mask_kind, n, t, s)
    keep = ((rng.random((n, heads, t, s)) > 0.3) / 0.7).astype(dtype) if dropout else None
    d_extra = rng.normal(size=(n, heads, t, s)).astype(dtype) if dropout else None
    backend = get_backend()
    out, weights = empty_heads(n, heads, t, kv, dtype), np.empty((n, heads, t, s), dtype)
    assert backend.run_kernel("attention", q, key, value, mask, keep, weights, out) is out
    grads = [empty_heads(n, heads, t, k, dtype), empty_heads(n, heads, s, k, dtype),
             empty_heads(n, heads, s, kv, dtype)]
    assert backend.run_kernel("attention_backward", q, key, value, keep, weights, d_out,
                              d_extra, *grads) is grads[0]
    expected = plain_attention(q, key, value, mask, keep, d_out, d_extra)
    for name, actual, wanted in zip(("out", "weights", "dq", "dk", "dv"),
                                    [out, weights] + grads, expected):
        scale = max(np.abs(wanted).max(), 1.0)
        np.testing.assert_allclose(actual, wanted, rtol=0, atol=tolerance * scale, err_msg=name)
    if mask_kind == "random":
        assert np.all(weights[0, :, 0] == 0) and np.all(out[0, :, 0] == 0)
    # inference: no weights written, the rows of the product normalised instead of the weights
    again = empty_heads(n, heads, t, kv, dtype)
    backend.run_kernel("attention", q, key, value, mask, keep, None, again)
    np.testing.assert_allclose(again, expected[0], rtol=0,
                               atol=tolerance * max(np.abs(expected[0]).max(), 1.0))


def test_float32_exp_over_the_whole_range():
    """Scores from −200 to +200 (exp's underflow and overflow both near): the kernel's
    float32 exp keeps every weight within float32 rounding of float64's."""
    rng = np.random.default_rng(0)
    n, heads, t, s, k = 2, 2, 9, 33, 8
    q = head_views(rng, n, heads, t, k, "float32", scale=5.0)
    key = head_views(rng, n, heads, s, k, "float32", scale=5.0)
    value = head_views(rng, n, heads, s, k, "float32")
    weights = np.empty((n, heads, t, s), np.float32)
    get_backend().run_kernel("attention", q, key, value, None, None, weights,
                             empty_heads(n, heads, t, k, "float32"))
    scores = q.astype(np.float64) @ key.astype(np.float64).swapaxes(-1, -2)
    assert np.abs(scores).max() > 150
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    np.testing.assert_allclose(weights, e / e.sum(-1, keepdims=True), rtol=0, atol=2e-6)


def test_a_nan_score_spoils_its_row_only():
    rng = np.random.default_rng(1)
    q, key = head_views(rng, 1, 1, 4, 3, "float32"), head_views(rng, 1, 1, 5, 3, "float32")
    value = head_views(rng, 1, 1, 5, 2, "float32")
    q[0, 0, 2, 1] = np.nan
    out, weights = empty_heads(1, 1, 4, 2, "float32"), np.empty((1, 1, 4, 5), np.float32)
    get_backend().run_kernel("attention", q, key, value, None, None, weights, out)
    assert np.isnan(weights[0, 0, 2]).all() and np.isnan(out[0, 0, 2]).all()
    assert np.isfinite(np.delete(weights[0, 0], 2, axis=0)).all()


def test_operands_the_kernels_do_not_take_are_left_to_numpy():
    backend = get_backend()
    q = np.zeros((1, 1, 3, 4), np.float32)
    out = np.empty((1, 1, 3, 4), np.float32)
    assert backend.run_kernel("attention", q.astype(np.float16), q, q, None, None, None,
                              out) is None                           # dtype
    assert backend.run_kernel("attention", q[..., ::2], q[..., ::2], q, None, None, None,
                              out) is None                           # strided last axis
    assert backend.run_kernel("attention", q, q, q, np.ones((2, 3, 3), bool), None, None,
                              out) is None                           # mask of another batch
    weights = np.empty((1, 1, 3, 6), np.float32)[..., :3]
    assert backend.run_kernel("attention", q, q, q, None, None, weights, out) is None
    assert backend.run_kernel("attention_backward", q, q, q, None, None, q, None, q, q,
                              q) is None                             # no weights


def run_mha(layer_seed, inputs, kwargs, d_out):
    """Outputs, scores and every gradient of one MultiHeadAttention (dropout drawn from
    ``nnkit.random`` after ``set_seed``)."""
    nnkit.set_seed(layer_seed)
    layer = nnkit.MultiHeadAttention(3, 4, value_dim=5, dropout=0.25)
    y, scores = layer(*inputs, training=True, return_attention_scores=True, **kwargs)
    dxs = layer.backward([d_out, np.ones_like(scores) * 0.1])
    return [y, scores] + [dx for dx in dxs if dx is not None] + \
        [layer.grads[key] for key in sorted(layer.grads)]


@pytest.mark.parametrize("dtype, tolerance", [("float64", 1e-12), ("float32", 2e-5)])
@pytest.mark.parametrize("kwargs", [
    {}, {"use_causal_mask": True},
    {"query_mask": np.arange(6)[None, :] < np.array([[6], [2]]),
     "value_mask": np.arange(9)[None, :] < np.array([[4], [9]])},
], ids=["none", "causal", "padding"])
def test_mha_is_the_same_with_and_without_the_kernels(dtype, tolerance, kwargs):
    nnkit.set_floatx(dtype)
    rng = np.random.default_rng(2)
    query, value, key = (rng.normal(size=shape).astype(dtype)
                         for shape in ((2, 6, 7), (2, 9, 5), (2, 9, 3)))
    d_out = rng.normal(size=(2, 6, 7)).astype(dtype)
    compiled = run_mha(4, (query, value, key), kwargs, d_out)
    with without_kernels("attention", "attention_backward"):
        plain = run_mha(4, (query, value, key), kwargs, d_out)
    assert len(compiled) == len(plain) == 13
    for one, other in zip(compiled, plain):
        scale = max(np.abs(other).max(), 1.0)
        np.testing.assert_allclose(one, other, rtol=0, atol=tolerance * scale)


def test_mha_gradients_through_the_kernel(float64):
    rng = np.random.default_rng(3)
    q, v = rng.normal(size=(2, 50, 4)), rng.normal(size=(2, 61, 4))
    mask = [np.arange(50)[None] < np.array([[50], [7]]),
            np.arange(61)[None] < np.array([[3], [61]])]
    # atol 1e-8: the key bias's true gradient is 0 (a shift of every score of a row), and the
    # central differences of a sum over 2·50·4 outputs carry ~1e-9 of rounding
    errors = check_gradients(nnkit.MultiHeadAttention(2, 3), [q, v], mask=mask, atol=1e-8)
    assert {"x[0]", "x[1]", "query_kernel", "value_bias"} <= set(errors)


def test_the_same_bits_on_one_or_two_threads():
    """Pairs are shared among threads, never a sum: the thread count changes no bit."""
    code = """
import json, numpy as np, nnkit
rng = np.random.default_rng(0)
q, k, v, g = (rng.normal(size=(8, 4, 40, 16)).astype("float32") for _ in range(4))
backend = nnkit.backend.get_backend()
out, weights = np.empty_like(q), np.empty((8, 4, 40, 40), "float32")
backend.run_kernel("attention", q, k, v, None, None, weights, out)
grads = [np.empty_like(q) for _ in range(3)]
backend.run_kernel("attention_backward", q, k, v, None, weights, g, None, *grads)
print(json.dumps([a.tolist() for a in [out] + grads]))
"""
    outputs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True, env={**os.environ, "OMP_NUM_THREADS": threads}).stdout
               for threads in ("1", "2")]
    assert outputs[0] == outputs[1]
