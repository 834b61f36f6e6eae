"""RNN: gradient checks through every option, per-sequence dropout masks, a per-step reference."""
import numpy as np
import pytest

import nnkit
from nnkit.testing import check_gradients

from numeric import numeric_grad

MASK = np.array([[1, 1, 1, 1, 0, 0],
                 [0, 0, 1, 1, 1, 1],
                 [1, 0, 1, 1, 0, 1],
                 [0, 0, 0, 0, 0, 0]], bool)


def reference_rnn(x, mask, kernel, recurrent_kernel, bias, h0, go_backwards=False):
    """``h_t = tanh(x_t·W + h_{t-1}·U + b)`` one example and one step at a time."""
    n, t, _ = x.shape
    if go_backwards:
        x, mask = x[:, ::-1], mask[:, ::-1]
    ys = np.zeros((n, t, h0.shape[1]))
    finals = h0.copy()
    for row in range(n):
        h = h0[row].copy()
        for step in range(t):
            if mask[row, step]:
                h = np.tanh(x[row, step] @ kernel + h @ recurrent_kernel + bias)
            ys[row, step] = h
        finals[row] = h
    return ys, finals


@pytest.mark.parametrize("go_backwards", [False, True])
def test_matches_reference_forward_state_and_all_gradients(float64, go_backwards):
    rng = np.random.default_rng(0)
    n, t, d, h = 4, 6, 2, 3
    layer = nnkit.RNN(h, return_sequences=True, return_state=True, go_backwards=go_backwards)
    x, h0 = rng.normal(size=(n, t, d)), rng.normal(size=(n, h))
    layer(x, mask=MASK)
    kernel, recurrent_kernel, bias = (rng.normal(scale=0.5, size=w.shape) for w in layer.get_weights())
    layer.set_weights([kernel, recurrent_kernel, bias])
    y, h_final = layer(x, training=True, mask=MASK, initial_state=[h0])
    ref_y, ref_h = reference_rnn(x, MASK, kernel, recurrent_kernel, bias, h0, go_backwards)
    np.testing.assert_allclose(y, ref_y, atol=1e-12)
    np.testing.assert_allclose(h_final, ref_h, atol=1e-12)
    np.testing.assert_allclose(y[3], np.broadcast_to(h0[3], (t, h)))   # all padding: h0 carried

    wy, wh = rng.normal(size=y.shape), rng.normal(size=(n, h))
    dx = layer.backward([wy, wh])

    def loss():
        ys, hs = reference_rnn(x, MASK, kernel, recurrent_kernel, bias, h0, go_backwards)
        return (wy * ys).sum() + (wh * hs).sum()

    for name, analytic, value in [("x", dx, x), ("kernel", layer.grads["kernel"], kernel),
                                  ("recurrent_kernel", layer.grads["recurrent_kernel"],
                                   recurrent_kernel),
                                  ("bias", layer.grads["bias"], bias),
                                  ("h0", layer.initial_state_grads[0], h0)]:
        np.testing.assert_allclose(analytic, numeric_grad(loss, value), atol=1e-6,
                                   err_msg=name)


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
