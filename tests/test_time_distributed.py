"""TimeDistributed: per-step reference, mask pass-through, aliasing, gradients, config."""
import numpy as np
import pytest

import nnkit
from nnkit.layers.time_distributed import TimeDistributed
from nnkit.testing import check_gradients


@pytest.fixture
def float64():
    nnkit.set_floatx("float64")
    yield
    nnkit.set_floatx("float32")


def test_applies_layer_to_each_step():
    x = np.random.default_rng(0).normal(size=(2, 4, 3)).astype("float32")
    layer = TimeDistributed(nnkit.Dense(5, activation="tanh"))
    y = layer(x)
    assert y.shape == (2, 4, 5) == (2,) + layer.example_output_shape((4, 3))
    for t in range(4):
        np.testing.assert_allclose(y[:, t], layer.layer(x[:, t]), rtol=1e-6)


def test_params_alias_inner_layer():
    layer = TimeDistributed(nnkit.Dense(5))
    layer(np.ones((2, 4, 3)))
    assert list(layer.params) == ["layer/kernel", "layer/bias"]
    assert layer.params["layer/kernel"] is layer.layer.params["kernel"]
    assert layer.grads["layer/bias"] is layer.layer.grads["bias"]
    assert [w.shape for w in layer.get_weights()] == [(3, 5), (5,)]


def test_passes_mask_through_and_varies_time():
    layer = TimeDistributed(nnkit.Dense(2))
    mask = np.array([[True, True, False], [True, False, False]])
    assert layer.compute_mask(None, mask) is mask
    assert layer(np.ones((2, 3, 4)), mask=mask).shape == (2, 3, 2)
    assert layer(np.ones((1, 7, 4))).shape == (1, 7, 2)
    with pytest.raises(nnkit.ShapeError):
        layer(np.ones((1, 7, 5)))            # the wrapped layer checks the feature size
    with pytest.raises(nnkit.ShapeError, match="TimeDistributed"):
        layer(np.ones((2, 4)))


@pytest.mark.parametrize("side", ["pre", "post"])
def test_gradients_with_ragged_mask(float64, side):
    x = np.random.default_rng(1).normal(size=(3, 4, 2))
    lengths = np.array([4, 2, 1])[:, None]
    steps = np.arange(4)[None, :]
    mask = steps >= 4 - lengths if side == "pre" else steps < lengths
    check_gradients(TimeDistributed(nnkit.Dense(3, activation="sigmoid")), x, mask=mask)


def test_wraps_index_layer():
    layer = TimeDistributed(nnkit.Embedding(10, 4))
    ids = np.random.default_rng(2).integers(0, 10, size=(2, 3, 5))
    y = layer(ids, training=True)
    assert y.shape == (2, 3, 5, 4)
    assert layer.backward(np.ones_like(y)) is None
    assert layer.grads["layer/embeddings"].sum() == pytest.approx(2 * 3 * 5 * 4)


def test_config_round_trip():
    layer = TimeDistributed(nnkit.Dense(5, activation="relu", name="inner"), name="td")
    config = layer.get_config()
    assert config["layer"] == {"class_name": "Dense", "config": layer.layer.get_config()}
    clone = TimeDistributed.from_config(config)
    assert clone.get_config() == config
    clone(np.ones((1, 2, 3)))
    assert list(clone.params) == ["layer/kernel", "layer/bias"]


def test_rejects_non_layer():
    with pytest.raises(nnkit.InvalidArgumentError, match="expected a Layer"):
        TimeDistributed("dense")
