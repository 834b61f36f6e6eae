"""LSTM: Keras layout, gradient checks through every option (reference: test_reference_steps)."""
import numpy as np
import pytest

import nnkit
from nnkit.testing import check_gradients

MASK = np.array([[1, 1, 1, 1, 0, 0],      # post-padding
                 [0, 0, 1, 1, 1, 1],      # pre-padding
                 [1, 0, 1, 1, 0, 1],      # holes
                 [1, 1, 1, 1, 1, 1]], bool)


def test_keras_weight_layout_and_initialisation():
    layer = nnkit.LSTM(4)
    layer(np.zeros((2, 3, 5), np.float32))
    assert [w.shape for w in layer.get_weights()] == [(5, 16), (4, 16), (16,)]
    assert list(layer.params) == ["kernel", "recurrent_kernel", "bias"]
    bias = layer.get_weights()[2]
    np.testing.assert_array_equal(bias[4:8], 1.0)
    np.testing.assert_array_equal(np.r_[bias[:4], bias[8:]], 0.0)
    recurrent = layer.get_weights()[1]
    for block in range(4):
        part = recurrent[:, 4 * block:4 * (block + 1)]
        np.testing.assert_allclose(part.T @ part, np.eye(4), atol=1e-5)


@pytest.mark.parametrize("options", [
    dict(return_sequences=True),
    dict(return_sequences=False),
    dict(return_sequences=True, return_state=True),
    dict(return_sequences=False, return_state=True, go_backwards=True),
    dict(return_sequences=True, go_backwards=True),
    dict(return_sequences=True, dropout=0.3, recurrent_dropout=0.4),
    dict(activation="linear", return_sequences=True),
    dict(activation="relu", return_state=True, unit_forget_bias=False),
])
def test_gradients_through_ragged_masks(float64, options):
    rng = np.random.default_rng(1)
    layer = nnkit.LSTM(3, **options)
    check_gradients(layer, rng.normal(size=(4, 6, 2)), mask=MASK)


def test_gradients_with_initial_state_and_no_mask(float64):
    rng = np.random.default_rng(2)
    layer = nnkit.LSTM(3, return_sequences=True, return_state=True)
    check_gradients(layer, rng.normal(size=(3, 4, 2)),
                    initial_state=[rng.normal(size=(3, 3)), rng.normal(size=(3, 3))])


def test_dropout_is_off_at_inference():
    layer = nnkit.LSTM(4, return_sequences=True, dropout=0.5, recurrent_dropout=0.5)
    x = np.ones((3, 5, 2), np.float32)
    inference = layer(x)
    np.testing.assert_array_equal(inference, layer(x))
    assert not np.allclose(layer(x, training=True), inference)


def test_return_state_and_compute_mask():
    layer = nnkit.LSTM(4, return_sequences=True, return_state=True)
    x = np.random.default_rng(0).normal(size=(3, 5, 2)).astype(np.float32)
    mask = np.ones((3, 5), bool)
    mask[0, 3:] = False
    y, h, c = layer(x, mask=mask)
    assert y.shape == (3, 5, 4) and h.shape == (3, 4) and c.shape == (3, 4)
    np.testing.assert_allclose(y[:, -1], h)
    np.testing.assert_array_equal(layer.compute_mask(x, mask), mask)
    assert nnkit.LSTM(4).compute_mask(x, mask) is None


def test_bad_inputs_name_the_layer():
    layer = nnkit.LSTM(4, name="encoder")
    layer(np.zeros((2, 3, 5), np.float32))
    with pytest.raises(nnkit.ShapeError, match="encoder.*received"):
        layer(np.zeros((2, 5), np.float32))
    with pytest.raises(nnkit.ShapeError, match="encoder.*5.*received.*\\(2, 3, 6\\)"):
        layer(np.zeros((2, 3, 6), np.float32))
    with pytest.raises(nnkit.ShapeError, match="encoder.*\\(2, 3\\).*received"):
        layer(np.zeros((2, 3, 5), np.float32), mask=np.ones((2, 4), bool))
    with pytest.raises(nnkit.ShapeError, match="encoder.*initial_state"):
        layer(np.zeros((2, 3, 5), np.float32), initial_state=[np.zeros((2, 4))])
    with pytest.raises(nnkit.InvalidArgumentError, match="recurrent_activation"):
        nnkit.LSTM(4, recurrent_activation="relu")


def test_config_round_trip():
    layer = nnkit.LSTM(4, activation="linear", return_sequences=True, go_backwards=True,
                       dropout=0.1, recurrent_dropout=0.2, unit_forget_bias=False)
    clone = nnkit.LSTM.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
