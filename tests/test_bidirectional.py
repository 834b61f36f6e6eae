"""Bidirectional: reversed direction under masks, merge modes, gradients, weights, config."""
import numpy as np
import pytest

import nnkit
from nnkit.layers.bidirectional import Bidirectional
from nnkit.testing import check_gradients

LENGTHS = [4, 2, 1]


@pytest.fixture
def float64():
    nnkit.set_floatx("float64")
    yield
    nnkit.set_floatx("float32")


def ragged(side, steps=4, features=2, seed=0):
    """x ``(N, T, D)`` with garbage at padded steps, and its mask."""
    x = np.random.default_rng(seed).normal(size=(len(LENGTHS), steps, features))
    positions, lengths = np.arange(steps)[None, :], np.array(LENGTHS)[:, None]
    mask = positions >= steps - lengths if side == "pre" else positions < lengths
    return x, mask


def run_plain(layer, weights, tokens, **kwargs):
    """A fresh forward-in-time copy of ``layer`` with ``weights`` on unpadded ``(1, L, D)`` tokens."""
    config = {**layer.get_config(), "go_backwards": False, "name": None, **kwargs}
    plain = type(layer).from_config(config)
    plain(tokens)
    plain.set_weights(weights)
    return plain(tokens)[0]


@pytest.mark.parametrize("side", ["pre", "post"])
@pytest.mark.parametrize("layer_cls", ["LSTM", "RNN"])
def test_backward_direction_starts_at_last_valid_token(side, layer_cls):
    x, mask = ragged(side)
    x = x.astype("float32")
    layer = Bidirectional(getattr(nnkit, layer_cls)(3, return_sequences=True), merge_mode=None)
    y_fw, y_bw = layer(x, mask=mask)
    for n in range(len(x)):
        valid = np.flatnonzero(mask[n])
        tokens = x[n, valid][None]
        fw = run_plain(layer.layer, layer.layer.get_weights(), tokens)
        bw = run_plain(layer.backward_layer, layer.backward_layer.get_weights(), tokens[:, ::-1])
        np.testing.assert_allclose(y_fw[n, valid], fw, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(y_bw[n, valid], bw[::-1], rtol=1e-5, atol=1e-6)  # aligned per step


@pytest.mark.parametrize("side", ["pre", "post"])
def test_last_outputs_without_return_sequences(side):
    x, mask = ragged(side)
    x = x.astype("float32")
    layer = Bidirectional(nnkit.LSTM(3), merge_mode=None)
    y_fw, y_bw = layer(x, mask=mask)
    assert y_fw.shape == y_bw.shape == (3, 3)
    for n in range(len(x)):
        tokens = x[n, mask[n]][None]
        bw = run_plain(layer.backward_layer, layer.backward_layer.get_weights(), tokens[:, ::-1],
                       return_sequences=True)
        fw = run_plain(layer.layer, layer.layer.get_weights(), tokens, return_sequences=True)
        np.testing.assert_allclose(y_bw[n], bw[-1], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(y_fw[n], fw[-1], rtol=1e-5, atol=1e-6)


def test_merge_modes_combine_both_directions():
    x, mask = ragged("post")
    both = Bidirectional(nnkit.LSTM(3, return_sequences=True), merge_mode=None)
    y_fw, y_bw = both(x, mask=mask)
    expected = {"concat": np.concatenate([y_fw, y_bw], axis=-1), "sum": y_fw + y_bw,
                "mul": y_fw * y_bw, "ave": (y_fw + y_bw) / 2}
    for mode, value in expected.items():
        merged = Bidirectional.from_config({**both.get_config(), "merge_mode": mode})
        merged(x, mask=mask)
        merged.set_weights(both.get_weights())
        np.testing.assert_allclose(merged(x, mask=mask), value, rtol=1e-6)
        assert merged.example_output_shape((4, 2)) == value.shape[1:]


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
@pytest.mark.parametrize("side", ["pre", "post"])
def test_gradients_lstm_sequences(float64, merge_mode, side):
    x, mask = ragged(side)
    check_gradients(Bidirectional(nnkit.LSTM(3, return_sequences=True), merge_mode), x, mask=mask)


@pytest.mark.parametrize("layer_cls, merge_mode", [("LSTM", "concat"), ("LSTM", "mul"),
                                                   ("RNN", "concat"), ("RNN", "ave")])
@pytest.mark.parametrize("side", ["pre", "post"])
def test_gradients_last_output(float64, layer_cls, merge_mode, side):
    x, mask = ragged(side)
    check_gradients(Bidirectional(getattr(nnkit, layer_cls)(3), merge_mode), x, mask=mask)


@pytest.mark.parametrize("side", ["pre", "post"])
def test_gradients_rnn_sequences(float64, side):
    x, mask = ragged(side)
    check_gradients(Bidirectional(nnkit.RNN(3, return_sequences=True), "sum"), x, mask=mask)


def test_return_state_lists_both_directions_states(float64):
    x, mask = ragged("post")
    layer = Bidirectional(nnkit.LSTM(3, return_sequences=True, return_state=True))
    out = layer(x, mask=mask)
    assert len(out) == 5 and out[0].shape == (3, 4, 6)
    assert all(state.shape == (3, 3) for state in out[1:])
    np.testing.assert_allclose(out[1], out[0][np.arange(3), np.array(LENGTHS) - 1, :3])
    check_gradients(layer, x, mask=mask)


def test_params_alias_children_in_keras_order():
    layer = Bidirectional(nnkit.LSTM(3, name="enc"))
    layer(np.ones((2, 4, 2)))
    keys = ["kernel", "recurrent_kernel", "bias"]
    assert list(layer.params) == [f"forward/{k}" for k in keys] + [f"backward/{k}" for k in keys]
    assert layer.params["backward/kernel"] is layer.backward_layer.params["kernel"]
    assert layer.grads["forward/bias"] is layer.layer.grads["bias"]
    expected = layer.layer.get_weights() + layer.backward_layer.get_weights()
    for got, want in zip(layer.get_weights(), expected):
        np.testing.assert_array_equal(got, want)
    assert not np.allclose(layer.layer.get_weights()[0], layer.backward_layer.get_weights()[0])


def test_mask_passes_through_only_with_return_sequences():
    mask = np.ones((2, 4), bool)
    assert Bidirectional(nnkit.LSTM(3, return_sequences=True)).compute_mask(None, mask) is mask
    assert Bidirectional(nnkit.LSTM(3)).compute_mask(None, mask) is None


def test_config_round_trip():
    layer = Bidirectional(nnkit.LSTM(3, return_sequences=True, name="enc"), merge_mode="ave",
                          name="bi")
    config = layer.get_config()
    assert config["layer"]["class_name"] == "LSTM" and config["merge_mode"] == "ave"
    clone = nnkit.registry.LAYERS.get("Bidirectional").from_config(config)
    assert clone.get_config() == config
    assert clone.backward_layer.name == "backward_enc" and clone.backward_layer.go_backwards
    assert not clone.layer.go_backwards


def test_rejects_bad_arguments():
    with pytest.raises(nnkit.InvalidArgumentError, match="go_backwards"):
        Bidirectional(nnkit.Dense(3))
    with pytest.raises(nnkit.InvalidArgumentError, match="merge_mode"):
        Bidirectional(nnkit.LSTM(3), merge_mode="max")
