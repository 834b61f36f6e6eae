"""keras_hub's PositionEmbedding and TokenAndPositionEmbedding: keras_hub 0.32's outputs
(fixtures from tests/fixtures/make_transformer_fixtures.py), plain-NumPy references,
float64 gradients, masks, graphs and errors."""
import json
import os

import numpy as np
import pytest

import nnkit
from nnkit.errors import InvalidArgumentError, ShapeError
from nnkit.layers.attention import PositionEmbedding, TokenAndPositionEmbedding
from nnkit.testing import check_gradients

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "transformer")


def _fixture(name):
    return dict(np.load(os.path.join(FIXTURES, f"{name}.npz")))


def _weights(data):
    return [data[f"w_{i}"] for i in range(len(data["paths"]))]


def test_position_embedding_matches_keras_hub():
    data = _fixture("position_embedding")
    layer = PositionEmbedding(6)
    layer(data["x"])
    layer.set_weights(_weights(data))
    np.testing.assert_allclose(layer(data["x"]), data["y"], rtol=1e-6)
    np.testing.assert_allclose(layer(data["x"], start_index=2), data["y_start"], rtol=1e-6)
    assert [str(path) for path in data["paths"]] == ["position_embedding/embeddings"]


def test_token_and_position_embedding_matches_keras_hub():
    data = _fixture("token_and_position")
    layer = TokenAndPositionEmbedding(10, 6, 4, mask_zero=True)
    layer(data["x"])
    assert [f"{layer.name}/{key}" for key in layer.params] == [
        str(path).replace("token_and_position_embedding", layer.name) for path in data["paths"]]
    layer.set_weights(_weights(data))
    y, mask = layer.apply(data["x"])
    np.testing.assert_allclose(y, data["y"], rtol=1e-6)
    np.testing.assert_array_equal(mask, data["mask"])


def test_the_sum_of_rows_in_plain_numpy_and_its_gradients():
    ids = np.array([[3, 1, 0], [2, 2, 5]])
    layer = TokenAndPositionEmbedding(6, 4, 2, embeddings_initializer="random_normal")
    y = layer(ids, start_index=1)
    tokens, positions = (np.asarray(w) for w in layer.get_weights())
    expected = np.array([[tokens[i] + positions[1 + t] for t, i in enumerate(row)]
                         for row in ids])
    np.testing.assert_allclose(y, expected, rtol=1e-6)
    layer(ids, training=True, start_index=1)
    layer.zero_grads()
    dy = np.random.default_rng(0).normal(size=y.shape).astype(y.dtype)
    assert layer.backward(dy) is None
    expected_positions = np.zeros_like(positions)
    expected_positions[1:4] = dy.sum(axis=0)
    expected_tokens = np.zeros_like(tokens)
    np.add.at(expected_tokens, ids.ravel(), dy.reshape(-1, 2))
    np.testing.assert_allclose(layer.grads["position_embedding/embeddings"], expected_positions,
                               rtol=1e-6)
    np.testing.assert_allclose(layer.grads["token_embedding/embeddings"], expected_tokens,
                               rtol=1e-6)


def test_gradients_in_float64_with_a_start_index_and_masks(float64):
    x = np.random.default_rng(1).normal(size=(3, 4, 2))
    mask = np.arange(4) < np.array([[4], [2], [1]])
    errors = check_gradients(PositionEmbedding(7), x, mask=mask, start_index=3)
    assert set(errors) == {"x", "embeddings"}
    ids = np.random.default_rng(2).integers(1, 9, size=(3, 4)) * mask
    errors = check_gradients(TokenAndPositionEmbedding(9, 5, 3, mask_zero=True), ids,
                             start_index=1)
    assert set(errors) == {"token_embedding/embeddings", "position_embedding/embeddings"}


def test_in_a_graph_the_mask_flows_from_the_tokens_only():
    ids = nnkit.Input((5,), dtype="int32")
    embedded = TokenAndPositionEmbedding(9, 5, 4, mask_zero=True)(ids)
    assert embedded.has_mask
    positions = PositionEmbedding(5)(embedded)
    assert not positions.has_mask
    model = nnkit.Model(ids, nnkit.GlobalAveragePooling1D()(embedded))
    batch = np.array([[1, 2, 0, 0, 0], [3, 4, 5, 6, 7]])
    full = model.layers[1](batch)
    np.testing.assert_allclose(model.predict(batch, verbose=0)[0], full[0, :2].mean(axis=0),
                               rtol=1e-6)


def test_config_round_trip_and_hdf5(tmp_path):
    layer = TokenAndPositionEmbedding(9, 6, 3, mask_zero=True, name="tpe")
    config = json.loads(json.dumps(layer.get_config()))
    assert config["tie_weights"] is True and config["mask_zero"] is True
    assert TokenAndPositionEmbedding.from_config(config).get_config() == config
    model = nnkit.Sequential([nnkit.Input((6,), dtype="int32"), layer,
                              nnkit.GlobalAveragePooling1D(), nnkit.Dense(1)])
    batch = np.array([[1, 2, 3, 0, 0, 0]])
    path = str(tmp_path / "tpe.h5")
    model.save(path)
    np.testing.assert_allclose(nnkit.load_model(path).predict(batch, verbose=0),
                               model.predict(batch, verbose=0), rtol=1e-6)


@pytest.mark.parametrize("call, error", [
    (lambda: PositionEmbedding(0), InvalidArgumentError),
    (lambda: PositionEmbedding(3)(np.ones((2, 4, 2))), ShapeError),
    (lambda: PositionEmbedding(5)(np.ones((2, 4, 2)), start_index=2), ShapeError),
    (lambda: TokenAndPositionEmbedding(5, 3, 2, tie_weights=False), InvalidArgumentError),
    (lambda: TokenAndPositionEmbedding(5, 3, 2)(np.array([[1, 7]])), InvalidArgumentError),
], ids=["length", "too-long", "start-index", "untied", "id-range"])
def test_errors_name_the_layer(call, error):
    with pytest.raises(error, match="layer '"):
        call()
