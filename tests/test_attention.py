"""Attention layers against Keras 3.15 (fixtures from tests/fixtures/make_attention_fixtures.py),
plain-NumPy references, float64 gradient checks through every mask, and graph use."""
import json
import math
import os

import numpy as np
import pytest

import nnkit
from nnkit.errors import InvalidArgumentError, ShapeError
from nnkit.registry import LAYERS
from nnkit.testing import check_gradients

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "attention")


def _fixture(name):
    return dict(np.load(os.path.join(FIXTURES, f"{name}.npz")))


def _weights(data):
    return [data[f"w_{i}"] for i in range(sum(key.startswith("w_") for key in data))]


def _inputs(data):
    return [data[f"x_{i}"] for i in range(sum(key.startswith("x_") for key in data))]


def _built(layer, inputs, data, **kwargs):
    layer(*inputs, **kwargs) if isinstance(layer, nnkit.MultiHeadAttention) else layer(inputs)
    layer.set_weights(_weights(data))
    return layer


def _check_grads(layer, data, dxs):
    """nnkit's gradients of ``Σ g ⊙ y`` equal jax's through Keras."""
    for i, dx in enumerate(dxs):
        np.testing.assert_allclose(dx, data[f"dx_{i}"], rtol=1e-4, atol=1e-5)
    for i, key in enumerate(layer.trainable_keys()):
        np.testing.assert_allclose(layer.grads[key], data[f"dw_{i}"], rtol=1e-4, atol=1e-5)


# ---- MultiHeadAttention: Keras parity ----------------------------------------
MHA_CASES = {
    "mha_self": (lambda: nnkit.MultiHeadAttention(2, 3), {}),
    "mha_cross_masked": (lambda: nnkit.MultiHeadAttention(3, 2, value_dim=4, output_shape=6),
                         {"value_mask": "value", "key_mask": "key"}),
    "mha_causal_explicit": (lambda: nnkit.MultiHeadAttention(2, 4, use_bias=False),
                            {"attention_mask": "attention", "use_causal_mask": True}),
}


@pytest.mark.parametrize("name", sorted(MHA_CASES))
def test_mha_matches_keras(name):
    make, arguments = MHA_CASES[name]
    data = _fixture(name)
    inputs = _inputs(data)
    if len(inputs) == 1:                       # self-attention: query = value
        inputs = inputs * 2
    kwargs = {key: (data[f"mask_{value}"] if isinstance(value, str) else value)
              for key, value in arguments.items()}
    layer = _built(make(), inputs, data, **kwargs)
    y, scores = layer(*inputs, return_attention_scores=True, training=True, **kwargs)
    np.testing.assert_allclose(y, data["y"], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(scores, data["scores"], rtol=1e-5, atol=1e-6)
    layer.zero_grads()
    _check_grads(layer, data, layer.backward([data["g"], np.zeros_like(scores)]))


def test_mha_weight_layout_and_fans():
    """Keras's weight shapes and order, and 3.15's Glorot limits per kernel (keras#22789)."""
    keras_weights = _weights(_fixture("mha_fans"))
    layer = nnkit.MultiHeadAttention(4, 8)
    layer(np.zeros((2, 3, 16)), np.zeros((2, 3, 16)))
    assert [w.shape for w in layer.get_weights()] == [w.shape for w in keras_weights]
    assert list(layer.params)[::2] == ["query_kernel", "key_kernel", "value_kernel",
                                       "attention_output_kernel"]
    limit = math.sqrt(6 / (16 + 4 * 8))           # fan_in 16, fan_out heads·key_dim
    for kernel in (layer.params["query_kernel"], keras_weights[0]):
        assert 0.9 * limit < np.abs(kernel).max() <= limit
    output_limit = math.sqrt(6 / (4 * 8 + 16))    # fan_in heads·value_dim, fan_out 16
    assert 0.9 * output_limit < np.abs(layer.params["attention_output_kernel"]).max() \
        <= output_limit


def test_mha_embedding_mask_in_graph():
    """An Embedding's mask reaches the attention as query, value and key masks; padded query
    rows follow Keras's softmax path (zero weights), unpadded rows match both Keras paths."""
    data = _fixture("mha_embedding_mask")
    ids = nnkit.Input((5,), dtype="int32")
    embedded = nnkit.Embedding(9, 4, mask_zero=True)(ids)
    mha = nnkit.MultiHeadAttention(2, 2)
    out, scores = mha(embedded, embedded, return_attention_scores=True)
    assert out.has_mask and not scores.has_mask
    model = nnkit.Model(ids, [out, scores])
    model.layers[1].set_weights([data["table"]])
    mha.set_weights(_weights(data))
    y, s = model.predict(data["ids"], verbose=0)
    np.testing.assert_allclose(y, data["y"], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(s, data["scores"], rtol=1e-5, atol=1e-6)
    real = data["ids"] != 0
    np.testing.assert_allclose(y[real], data["y_fused"][real], rtol=1e-5, atol=1e-5)
    assert np.isfinite(y).all()


def test_mha_fused_keras_path_differs_only_on_padded_rows():
    """Keras's two paths agree wherever a query row sees a key; nnkit takes the softmax path."""
    data, fused = _fixture("mha_causal_explicit"), _fixture("mha_causal_explicit_fused")
    query = data["x_0"]
    layer = _built(nnkit.MultiHeadAttention(2, 4, use_bias=False), [query, query], data)
    mask = data["mask_attention"] & np.tril(np.ones((5, 5), bool))
    seen = mask.any(axis=-1)
    y = layer(query, query, attention_mask=data["mask_attention"], use_causal_mask=True)
    np.testing.assert_allclose(y[seen], fused["y"][seen], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(y[~seen], 0.0, atol=1e-7)       # no bias: zero output


def test_mha_against_plain_numpy():
    """Per-head loop reference, written plainly, with a query mask."""
    rng = np.random.default_rng(3)
    q, v = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 6))
    query_mask = np.array([[1, 1, 0], [1, 1, 1]], bool)
    layer = nnkit.MultiHeadAttention(2, 3, bias_initializer="random_normal")
    y = layer(q, v, query_mask=query_mask)
    w = {key: np.asarray(value) for key, value in layer.params.items()}
    expected = np.zeros((2, 3, 4))
    for n in range(2):
        for t in range(3):
            expected[n, t] = w["attention_output_bias"]
            if not query_mask[n, t]:
                continue
            for h in range(2):
                qh = q[n, t] @ w["query_kernel"][:, h] + w["query_bias"][h]
                kh = v[n] @ w["key_kernel"][:, h] + w["key_bias"][h]
                vh = v[n] @ w["value_kernel"][:, h] + w["value_bias"][h]
                logits = kh @ qh / math.sqrt(3)
                p = np.exp(logits - logits.max())
                expected[n, t] += (p / p.sum()) @ vh @ w["attention_output_kernel"][h]
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)


# ---- Attention, AdditiveAttention: Keras parity -------------------------------
DENSE_CASES = {
    "attention_dot": lambda: nnkit.Attention(),
    "attention_scaled_key": lambda: nnkit.Attention(use_scale=True),
    "attention_concat": lambda: nnkit.Attention(score_mode="concat", use_scale=True),
    "additive": lambda: nnkit.AdditiveAttention(),
    "additive_causal": lambda: nnkit.AdditiveAttention(use_scale=False),
}


@pytest.mark.parametrize("name", sorted(DENSE_CASES))
def test_dense_attention_matches_keras(name):
    data = _fixture(name)
    inputs = _inputs(data)
    layer = DENSE_CASES[name]()
    layer(inputs)
    if layer.params:
        layer.set_weights(_weights(data))
    masks = [data["mask_query"], data["mask_value"]]
    y, scores = layer(inputs, mask=masks, training=True, return_attention_scores=True,
                      use_causal_mask=bool(data["mask_causal"]))
    np.testing.assert_allclose(y, data["y"], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(scores, data["scores"], rtol=1e-5, atol=1e-6)
    layer.zero_grads()
    _check_grads(layer, data, layer.backward([data["g"], np.zeros_like(scores)]))


# ---- gradients through every mask kind (float64) ------------------------------
_RNG = np.random.default_rng(7)
_Q, _V, _K = _RNG.normal(size=(3, 4, 3)), _RNG.normal(size=(3, 5, 2)), _RNG.normal(size=(3, 5, 4))
_QM = np.arange(4) < np.array([[4], [2], [1]])
_VM = np.arange(5) < np.array([[5], [3], [1]])
_AM = _RNG.random((3, 4, 5)) > 0.4


@pytest.mark.parametrize("kwargs", [
    {},
    {"mask": [_QM, _VM, _VM]},
    {"use_causal_mask": True, "mask": [_QM, None, _VM]},
    {"attention_mask": _AM, "mask": [None, _VM, None]},
    {"return_attention_scores": True, "mask": [_QM, _VM, None]},
], ids=["none", "query-value-key", "causal", "explicit", "scores"])
def test_mha_gradients_through_masks(kwargs, float64):
    layer = nnkit.MultiHeadAttention(2, 3, value_dim=2, dropout=0.3)
    errors = check_gradients(layer, [_Q, _V, _K], **kwargs)
    assert {"x[0]", "x[1]", "x[2]", "query_kernel", "attention_output_bias"} <= set(errors)


@pytest.mark.parametrize("make", [
    lambda: nnkit.Attention(use_scale=True, dropout=0.3),
    lambda: nnkit.Attention(score_mode="concat", use_scale=True),
    lambda: nnkit.AdditiveAttention(dropout=0.2),
], ids=["dot", "concat", "additive"])
@pytest.mark.parametrize("causal", [False, True])
def test_dense_attention_gradients_through_masks(make, causal, float64):
    q, k = _RNG.normal(size=(3, 4, 2)), _RNG.normal(size=(3, 5, 2))
    errors = check_gradients(make(), [q, _V, k], mask=[_QM, _VM], use_causal_mask=causal,
                             return_attention_scores=True)
    assert {"x[0]", "x[1]", "x[2]"} <= set(errors)


# ---- behaviour, graphs and errors ----------------------------------------------
def test_fully_masked_rows_are_finite():
    layer = nnkit.MultiHeadAttention(2, 2)
    mask = np.zeros((2, 3, 4), bool)
    y, scores = layer(np.ones((2, 3, 4)), np.ones((2, 4, 4)), attention_mask=mask,
                      return_attention_scores=True)
    assert np.isfinite(y).all() and np.all(scores == 0)


def test_graph_model_trains_and_round_trips(tmp_path):
    """Self-attention with a symbolic attention mask and a separate key in a graph model;
    the config and nnkit's HDF5 file give the same outputs."""
    x, am = nnkit.Input((4, 3)), nnkit.Input((4, 4), dtype="bool")
    attended = nnkit.MultiHeadAttention(2, 2, name="mha")(x, x, attention_mask=am,
                                                           use_causal_mask=True)
    model = nnkit.Model([x, am], nnkit.Dense(1)(nnkit.GlobalAveragePooling1D()(attended)))
    model.compile("adam", "mse")
    data = [_RNG.normal(size=(8, 4, 3)), _RNG.random((8, 4, 4)) > 0.2]
    history = model.fit(data, _RNG.normal(size=(8, 1)), epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    clone = nnkit.Model.from_config(json.loads(json.dumps(model.get_config())))
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict(data, verbose=0), model.predict(data, verbose=0))
    path = str(tmp_path / "mha.h5")
    model.save(path)
    np.testing.assert_allclose(nnkit.load_model(path).predict(data, verbose=0),
                               model.predict(data, verbose=0), rtol=1e-6)


def test_config_round_trip_keeps_arguments():
    layer = nnkit.MultiHeadAttention(3, 4, value_dim=5, dropout=0.1, use_bias=False,
                                     output_shape=7, kernel_regularizer="l2", seed=3)
    config = json.loads(json.dumps(layer.get_config()))
    assert LAYERS.get("MultiHeadAttention").from_config(config).get_config() == config
    assert config["output_shape"] == 7 and config["value_dim"] == 5     # as given (Keras)


def test_kernel_regularizer_reaches_every_kernel():
    layer = nnkit.MultiHeadAttention(2, 2, kernel_regularizer=nnkit.regularizers.L2(0.1))
    layer(np.ones((1, 2, 3)), np.ones((1, 2, 3)))
    expected = 0.1 * sum(float((layer.params[k] ** 2).sum()) for k in layer.params
                         if k.endswith("kernel"))
    assert layer.regularization_penalty() == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("call, error", [
    (lambda: nnkit.MultiHeadAttention(0, 2), InvalidArgumentError),
    (lambda: nnkit.MultiHeadAttention(2, 2, attention_axes=(1, 2)), InvalidArgumentError),
    (lambda: nnkit.MultiHeadAttention(2, 2, dropout=1.0), InvalidArgumentError),
    (lambda: nnkit.MultiHeadAttention(2, 2)(np.ones((2, 3))), InvalidArgumentError),
    (lambda: nnkit.MultiHeadAttention(2, 2)(np.ones((2, 3, 4)), np.ones((2, 3))), ShapeError),
    (lambda: nnkit.MultiHeadAttention(2, 2)(np.ones((2, 3, 4)), np.ones((2, 5, 4)),
                                            np.ones((2, 4, 4))), ShapeError),
    (lambda: nnkit.MultiHeadAttention(2, 2)(np.ones((2, 3, 4)), np.ones((2, 5, 4)),
                                            attention_mask=np.ones((2, 3, 4))), ShapeError),
    (lambda: nnkit.Attention(score_mode="general"), InvalidArgumentError),
    (lambda: nnkit.Attention()(np.ones((2, 3, 4))), InvalidArgumentError),
], ids=["heads", "axes", "dropout", "no-value", "rank", "key-steps", "attention-mask",
        "score-mode", "not-a-list"])
def test_errors_name_the_problem(call, error):
    with pytest.raises(error, match="layer '"):
        call()
