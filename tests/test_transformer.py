"""keras_hub's TransformerEncoder: keras_hub 0.32's outputs and gradients (fixtures from
tests/fixtures/make_transformer_fixtures.py), a plain-NumPy reference, float64 gradient
checks through masks, padding invariance, saving, and the keras.io Transformer example."""
import importlib.util
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import nnkit
from nnkit.errors import InvalidArgumentError
from nnkit.layers.attention import TokenAndPositionEmbedding, TransformerEncoder
from nnkit.testing import check_gradients, check_padding_invariance

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "transformer")
EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"
MASK = np.arange(4) < np.array([[4], [2], [1]])

KERAS_HUB_CASES = {
    "encoder_post": dict(intermediate_dim=6, num_heads=2),
    "encoder_pre": dict(intermediate_dim=5, num_heads=2, activation="tanh",
                        layer_norm_epsilon=1e-3, normalize_first=True),
}


@pytest.mark.parametrize("name", sorted(KERAS_HUB_CASES))
def test_matches_keras_hub_on_real_steps(name):
    """Outputs at unpadded steps and every gradient (``g`` is zero on padded steps, where
    Keras's fused attention path and its softmax path disagree) equal keras_hub's."""
    data = dict(np.load(os.path.join(FIXTURES, f"{name}.npz")))
    layer = TransformerEncoder(**KERAS_HUB_CASES[name])
    layer(data["x"])
    assert list(layer.params) == [
        str(path).split("/", 1)[1].replace("/query/", "/query_").replace("/key/", "/key_")
        .replace("/value/", "/value_").replace("/attention_output/", "/attention_output_")
        for path in data["paths"]]
    layer.set_weights([data[f"w_{i}"] for i in range(len(data["paths"]))])
    mask = data["mask"]
    y = layer(data["x"], mask=mask, training=True)
    np.testing.assert_allclose(y[mask], data["y"][mask], rtol=1e-5, atol=1e-5)
    assert np.isfinite(y).all()
    layer.zero_grads()
    np.testing.assert_allclose(layer.backward(data["g"]), data["dx"], rtol=1e-4, atol=1e-5)
    for i, key in enumerate(layer.params):
        np.testing.assert_allclose(layer.grads[key], data[f"dw_{i}"], rtol=1e-4, atol=1e-5,
                                   err_msg=key)


def _layer_norm(x, gamma, beta, eps):
    mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


def _reference(x, mask, w, heads, eps):
    """The post-norm block, one example and one head at a time."""
    y = np.zeros_like(x)
    key_dim = w["self_attention_layer/query_kernel"].shape[-1]
    for n in range(x.shape[0]):
        attended = np.tile(w["self_attention_layer/attention_output_bias"], (x.shape[1], 1))
        for h in range(heads):
            proj = {name: x[n] @ w[f"self_attention_layer/{name}_kernel"][:, h] +
                    w[f"self_attention_layer/{name}_bias"][h] for name in ("query", "key", "value")}
            for t in range(x.shape[1]):
                if not mask[n, t]:
                    continue                    # a padded query step attends to nothing
                logits = proj["key"][mask[n]] @ proj["query"][t] / np.sqrt(key_dim)
                p = np.exp(logits - logits.max())
                attended[t] += (p / p.sum()) @ proj["value"][mask[n]] @ \
                    w["self_attention_layer/attention_output_kernel"][h]
        h1 = _layer_norm(x[n] + attended, w["self_attention_layer_norm/gamma"],
                         w["self_attention_layer_norm/beta"], eps)
        hidden = np.maximum(h1 @ w["feedforward_intermediate_dense/kernel"] +
                            w["feedforward_intermediate_dense/bias"], 0)
        f = hidden @ w["feedforward_output_dense/kernel"] + w["feedforward_output_dense/bias"]
        y[n] = _layer_norm(h1 + f, w["feedforward_layer_norm/gamma"],
                           w["feedforward_layer_norm/beta"], eps)
    return y


def test_equals_a_plain_numpy_block(float64):
    x = np.random.default_rng(0).normal(size=(3, 4, 6))
    layer = TransformerEncoder(8, 3, bias_initializer="random_normal")
    y = layer(x, mask=MASK)
    weights = {key: np.asarray(value) for key, value in layer.params.items()}
    np.testing.assert_allclose(y, _reference(x, MASK, weights, 3, 1e-5), rtol=1e-10)


@pytest.mark.parametrize("kwargs", [dict(dropout=0.3), dict(normalize_first=True, dropout=0.2),
                                    dict(activation="tanh", layer_norm_epsilon=1e-2)],
                         ids=["post-dropout", "pre-dropout", "tanh"])
@pytest.mark.parametrize("mask", [None, MASK], ids=["unmasked", "masked"])
def test_gradients_through_masks(kwargs, mask, float64):
    x = np.random.default_rng(1).normal(size=(3, 4, 4))
    # atol: key_bias's true gradient is 0 (a softmax ignores a shift shared by all keys);
    # central differences give ~1e-9 of rounding there
    errors = check_gradients(TransformerEncoder(3, 2, **kwargs), x, mask=mask, atol=1e-8)
    assert {"x", "self_attention_layer/query_kernel", "feedforward_output_dense/bias",
            "feedforward_layer_norm/gamma"} <= set(errors)


def _classifier(with_positions):
    ids = nnkit.Input((None,), dtype="int32")
    embed = (TokenAndPositionEmbedding(12, 12, 4, mask_zero=True) if with_positions
             else nnkit.Embedding(12, 4, mask_zero=True))
    x = TransformerEncoder(6, 2)(embed(ids))
    model = nnkit.Model(ids, nnkit.Dense(1)(nnkit.GlobalAveragePooling1D()(x)))
    model.compile("sgd", "mse")
    return model


def test_a_padded_token_transformer_classifier_ignores_padding(float64):
    """Without positions the block sees a set: every padding layout gives the same loss,
    outputs and gradients. With learned positions, only post-padding keeps each token's
    position, so only the post-padding variations are invariant."""
    x = np.array([[3, 1, 4, 1, 0, 0], [5, 9, 2, 6, 5, 3], [5, 8, 0, 0, 0, 0]])
    y = np.array([[0.5], [-1.0], [2.0]])
    report = check_padding_invariance(_classifier(False), x, y)
    assert report.ok and "padding_embedding_row" in report.variations
    report = check_padding_invariance(_classifier(True), x, y, raise_on_failure=False)
    assert not report.variations["post_padding"].failures
    assert not report.variations["extra_post_padding"].failures
    assert report.variations["pre_padding"].failures


def test_trains_and_round_trips_in_a_model(tmp_path):
    model = _classifier(True)
    x = np.random.default_rng(2).integers(0, 12, size=(8, 6))
    history = model.fit(x, np.ones((8, 1)), epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    clone = nnkit.Model.from_config(json.loads(json.dumps(model.get_config())))
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0))
    path = str(tmp_path / "transformer.h5")
    model.save(path)
    np.testing.assert_allclose(nnkit.load_model(path).predict(x, verbose=0),
                               model.predict(x, verbose=0), rtol=1e-6)


def test_config_keeps_every_argument():
    layer = TransformerEncoder(7, 3, dropout=0.1, activation="tanh", layer_norm_epsilon=1e-3,
                               kernel_initializer="he_normal", normalize_first=True)
    config = json.loads(json.dumps(layer.get_config()))
    assert TransformerEncoder.from_config(config).get_config() == config
    assert (config["intermediate_dim"], config["activation"], config["normalize_first"]) == \
        (7, "tanh", True)


@pytest.mark.parametrize("call", [
    lambda: TransformerEncoder(0, 2),
    lambda: TransformerEncoder(4, 2, dropout=1.5),
    lambda: TransformerEncoder(4, 2, activation="swishy"),
    lambda: TransformerEncoder(4, 5)(np.ones((2, 3, 4))),
], ids=["width", "dropout", "activation", "heads"])
def test_errors_are_clear(call):
    with pytest.raises(InvalidArgumentError):
        call()


def test_the_keras_io_example_runs_quickly(data_dir, tmp_path):
    """examples/imdb_transformer.py (custom layers with call()) on 300 short reviews."""
    env = {**os.environ, "NNKIT_DATA_DIR": str(data_dir)}
    result = subprocess.run([sys.executable, str(EXAMPLES / "imdb_transformer.py"), "--limit",
                             "300", "--epochs", "1", "--maxlen", "40", "--vocab-size", "2000"],
                            capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    accuracy = float(result.stdout.split("test accuracy")[1].split(",")[0])
    assert 0.0 <= accuracy <= 1.0 and "s per epoch" in result.stdout


# ---- Keras files -------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["transformer_model", "mha_model"])
def test_keras_made_files_predict_as_keras(name):
    """keras_hub's TokenAndPositionEmbedding + TransformerEncoder, and MultiHeadAttention
    called with a separate key, a causal mask and returned scores, saved by Keras 3.15."""
    data = dict(np.load(os.path.join(FIXTURES, f"{name}.npz")))
    model = nnkit.load_model(os.path.join(FIXTURES, f"{name}.keras"))
    inputs = [data[key] for key in sorted(data) if key.startswith("x")]
    got = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
    expected = [data["y"]] + ([data["scores"]] if "scores" in data else [])
    for value, want in zip(got if isinstance(got, list) else [got], expected):
        np.testing.assert_allclose(value, want, rtol=1e-5, atol=1e-6)


def test_mha_weights_file_has_keras_paths(tmp_path):
    """``save_weights`` writes MultiHeadAttention's four projections where Keras does."""
    import h5py
    x = nnkit.Input((3, 4))
    model = nnkit.Model(x, nnkit.MultiHeadAttention(2, 2)(x, x))
    path = str(tmp_path / "mha.weights.h5")
    model.save_weights(path)
    names = []
    with h5py.File(path) as file:
        file.visit(lambda name: names.append(name) if isinstance(file[name], h5py.Dataset)
                   else None)
    expected = np.load(os.path.join(os.path.dirname(FIXTURES), "attention",
                                    "mha_weight_paths.npz"))["paths"]
    assert sorted(names) == sorted(str(name) for name in expected)
    clone = nnkit.Model(x, nnkit.MultiHeadAttention(2, 2)(x, x))
    clone.load_weights(path)
    for a, b in zip(clone.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


# ---- examples/imdb_attention_pooling.py ----------------------------------------------------
def _attention_pooling_example():
    if str(EXAMPLES) not in sys.path:              # the example imports imdb_common
        sys.path.insert(0, str(EXAMPLES))
    spec = importlib.util.spec_from_file_location("imdb_attention_pooling",
                                                  EXAMPLES / "imdb_attention_pooling.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("pooling", ["query", "self"])
def test_attention_pooling_model_ignores_padding(pooling, float64):
    """Both poolings of the LSTM's outputs give the same predictions and gradients however
    much padding a review has (its padded steps get attention weight 0)."""
    model = _attention_pooling_example().build_model(None, 30, embedding=4, units=3,
                                                     pooling=pooling)
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    rng = np.random.default_rng(0)
    ids = rng.integers(1, 30, size=(4, 9))
    ids[np.arange(9) < np.array([[0], [3], [5], [8]])] = 0            # pre-padded, as pad_sequences
    check_padding_invariance(model, ids, rng.integers(0, 2, size=(4, 1)).astype("float64"))


@pytest.mark.parametrize("pooling", ["query", "self"])
def test_attention_pooling_example_runs_quickly(pooling, data_dir, tmp_path):
    """examples/imdb_attention_pooling.py on 300 short reviews (a few seconds)."""
    env = {**os.environ, "NNKIT_DATA_DIR": str(data_dir)}
    result = subprocess.run([sys.executable, str(EXAMPLES / "imdb_attention_pooling.py"),
                             "--limit", "300", "--epochs", "1", "--maxlen", "40",
                             "--vocab-size", "2000", "--units", "8", "--embedding", "8",
                             "--pooling", pooling],
                            capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    accuracy = float(result.stdout.split("test accuracy")[1].split(",")[0])
    assert 0.0 <= accuracy <= 1.0 and f"({pooling} pooling)" in result.stdout
