"""LSTM: Keras layout, gradient checks through every option, and a plain per-step reference."""
import numpy as np
import pytest

import nnkit
from nnkit.testing import check_gradients

from numeric import numeric_grad

MASK = np.array([[1, 1, 1, 1, 0, 0],      # post-padding
                 [0, 0, 1, 1, 1, 1],      # pre-padding
                 [1, 0, 1, 1, 0, 1],      # holes
                 [1, 1, 1, 1, 1, 1]], bool)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def reference_lstm(x, mask, kernel, recurrent_kernel, bias, h0, c0, go_backwards=False):
    """Keras's LSTM equations, one example and one step at a time."""
    n, t, _ = x.shape
    units = h0.shape[1]
    if go_backwards:
        x, mask = x[:, ::-1], mask[:, ::-1]
    ys = np.zeros((n, t, units))
    hs, cs = h0.copy(), c0.copy()
    for row in range(n):
        h, c = h0[row].copy(), c0[row].copy()
        for step in range(t):
            if mask[row, step]:
                z = x[row, step] @ kernel + h @ recurrent_kernel + bias
                i, f = sigmoid(z[:units]), sigmoid(z[units:2 * units])
                g, o = np.tanh(z[2 * units:3 * units]), sigmoid(z[3 * units:])
                c = f * c + i * g
                h = o * np.tanh(c)
            ys[row, step] = h
        hs[row], cs[row] = h, c
    return ys, hs, cs


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


@pytest.mark.parametrize("go_backwards", [False, True])
def test_matches_reference_forward_states_and_all_gradients(float64, go_backwards):
    rng = np.random.default_rng(0)
    n, t, d, h = 4, 6, 2, 3
    layer = nnkit.LSTM(h, return_sequences=True, return_state=True, go_backwards=go_backwards)
    x = rng.normal(size=(n, t, d))
    h0, c0 = rng.normal(size=(n, h)), rng.normal(size=(n, h))
    layer(x, mask=MASK)
    kernel, recurrent_kernel, bias = (rng.normal(scale=0.5, size=w.shape) for w in layer.get_weights())
    layer.set_weights([kernel, recurrent_kernel, bias])
    y, h_final, c_final = layer(x, training=True, mask=MASK, initial_state=[h0, c0])
    ref_y, ref_h, ref_c = reference_lstm(x, MASK, kernel, recurrent_kernel, bias, h0, c0,
                                         go_backwards)
    np.testing.assert_allclose(y, ref_y, atol=1e-12)
    np.testing.assert_allclose(h_final, ref_h, atol=1e-12)
    np.testing.assert_allclose(c_final, ref_c, atol=1e-12)

    wy, wh, wc = rng.normal(size=y.shape), rng.normal(size=(n, h)), rng.normal(size=(n, h))
    dx = layer.backward([wy, wh, wc])

    def loss():
        ys, hs, cs = reference_lstm(x, MASK, kernel, recurrent_kernel, bias, h0, c0, go_backwards)
        return (wy * ys).sum() + (wh * hs).sum() + (wc * cs).sum()

    for name, analytic, value in [("x", dx, x), ("kernel", layer.grads["kernel"], kernel),
                                  ("recurrent_kernel", layer.grads["recurrent_kernel"],
                                   recurrent_kernel),
                                  ("bias", layer.grads["bias"], bias),
                                  ("h0", layer.initial_state_grads[0], h0),
                                  ("c0", layer.initial_state_grads[1], c0)]:
        np.testing.assert_allclose(analytic, numeric_grad(loss, value), atol=1e-6,
                                   err_msg=name)


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
