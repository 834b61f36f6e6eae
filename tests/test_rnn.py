"""RNN: gradient checks through every option, per-sequence dropout masks.

Against the textbook reference steps: ``test_reference_steps.py``.
"""
import numpy as np
import pytest

import nnkit
from nnkit.testing import check_gradients

MASK = np.array([[1, 1, 1, 1, 0, 0],
                 [0, 0, 1, 1, 1, 1],
                 [1, 0, 1, 1, 0, 1],
                 [0, 0, 0, 0, 0, 0]], bool)


@pytest.mark.parametrize("options", [
    dict(return_sequences=True),
    dict(return_sequences=False),
    dict(return_sequences=True, return_state=True, go_backwards=True),
    dict(return_sequences=False, go_backwards=True),
    dict(return_sequences=True, dropout=0.3, recurrent_dropout=0.4),
    dict(activation="sigmoid", return_state=True, dropout=0.2),
    dict(activation="relu", return_sequences=True),
])
def test_gradients_through_ragged_masks(float64, options):
    rng = np.random.default_rng(1)
    check_gradients(nnkit.RNN(3, **options), rng.normal(size=(4, 6, 2)), mask=MASK)


def test_gradients_with_initial_state(float64):
    rng = np.random.default_rng(2)
    check_gradients(nnkit.RNN(3, return_sequences=True), rng.normal(size=(3, 4, 2)),
                    mask=MASK[:3, :4], initial_state=[rng.normal(size=(3, 3))])


def test_dropout_masks_are_drawn_once_per_sequence():
    """Linear RNN, W = U = I, x = e at t = 0 only: h_t = m_x·m_r^t, so h_2·h_0 = h_1²."""
    layer = nnkit.RNN(50, activation="linear", return_sequences=True, dropout=0.5,
                      recurrent_dropout=0.5)
    x = np.zeros((4, 3, 50), np.float32)
    x[:, 0] = 1.0
    layer(x)
    layer.set_weights([np.eye(50), np.eye(50), np.zeros(50)])
    y = layer(x, training=True)
    layer.clear_cache()
    np.testing.assert_allclose(y[:, 2] * y[:, 0], y[:, 1] ** 2)
    assert set(np.unique(y[:, 0])) == {0.0, 2.0}
    assert 0 < (y[:, 1] == 0).mean() < 1


def test_config_round_trip():
    layer = nnkit.RNN(4, activation="relu", return_state=True, dropout=0.25)
    assert nnkit.RNN.from_config(layer.get_config()).get_config() == layer.get_config()
    with pytest.raises(nnkit.InvalidArgumentError, match="activation"):
        nnkit.RNN(4, activation="softmax")
    with pytest.raises(nnkit.InvalidArgumentError, match="dropout"):
        nnkit.RNN(4, dropout=1.0)
