"""Recurrent state in graph models: return_state outputs, symbolic initial_state with BPTT
into whatever made it, and the Keras seq2seq file rebuilt into inference models.

Keras 3.15's numbers come from ``tests/fixtures/make_rnn_state_fixtures.py`` (JAX backend,
run in a separate virtual environment); Keras is not needed here.
"""
import pathlib

import numpy as np
import pytest

import nnkit
from nnkit import layers as L
from nnkit.errors import InvalidArgumentError
from nnkit.testing import check_gradients

FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures" / "rnn_state"


def fixture(case):
    arrays = dict(np.load(FIXTURES / f"{case}.npz"))

    def series(prefix):
        return [arrays[f"{prefix}{i}"] for i in range(sum(
            1 for key in arrays if key.startswith(prefix) and key[len(prefix):].isdigit()))]
    return series("x"), series("w"), series("y"), arrays


def predict_list(model, inputs, **kwargs):
    out = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0, **kwargs)
    return list(out) if isinstance(out, (list, tuple)) else [out]


def assert_all_close(got, expected):
    assert len(got) == len(expected)
    for value, want in zip(got, expected):
        assert value.shape == want.shape
        np.testing.assert_allclose(value, want, rtol=1e-5, atol=2e-6)


# ---- Keras 3.15 on the same weights ---------------------------------------------------
def encoder_decoder_model():
    enc_in = nnkit.Input((None,), dtype="int32")
    dec_in = nnkit.Input((None,), dtype="int32")
    _, h, c = L.LSTM(5, return_state=True)(L.Embedding(12, 4, mask_zero=True)(enc_in))
    seq, h2, c2 = L.LSTM(5, return_sequences=True, return_state=True)(
        L.Embedding(12, 4, mask_zero=True)(dec_in), initial_state=[h, c])
    return nnkit.Model([enc_in, dec_in], [L.Dense(3, activation="softmax")(seq), h2, c2])


def test_lstm_return_state_unpacks_into_three_tensors():
    x = nnkit.Input((None, 3))
    y, h, c = L.LSTM(5, return_state=True)(x)
    assert (y.shape, h.shape, c.shape) == ((None, 5), (None, 5), (None, 5))
    seq, h = L.GRU(4, return_sequences=True, return_state=True)(x)
    assert (seq.shape, h.shape) == ((None, None, 4), (None, 4))
    outs = L.Bidirectional(L.LSTM(2, return_state=True))(x)
    assert [t.shape for t in outs] == [(None, 4)] + [(None, 2)] * 4


def test_encoder_states_start_a_masked_decoder_as_in_keras():
    inputs, weights, expected, _ = fixture("encoder_decoder")
    model = encoder_decoder_model()
    model.set_weights(weights)
    assert_all_close(predict_list(model, inputs), expected)


def test_gru_and_simple_rnn_states_from_layers_and_inputs_as_in_keras():
    inputs, weights, expected, _ = fixture("gru_state")
    x_in, h_in = nnkit.Input((6, 3)), nnkit.Input((4,))
    y, h = L.GRU(4, return_state=True)(x_in)
    y2, h2 = L.GRU(4, return_sequences=True, return_state=True, reset_after=False,
                   go_backwards=True)(x_in, initial_state=h_in)
    s, hs = L.SimpleRNN(4, return_state=True)(x_in, initial_state=[h])
    model = nnkit.Model([x_in, h_in], [y, h, y2, h2, s, hs])
    model.set_weights(weights)
    assert_all_close(predict_list(model, inputs), expected)


def test_bidirectional_returns_and_takes_both_directions_states_as_in_keras():
    inputs, weights, expected, _ = fixture("bidirectional_state")
    x_in = nnkit.Input((None,), dtype="int32")
    states_in = [nnkit.Input((3,)) for _ in range(4)]
    outs = L.Bidirectional(L.LSTM(3, return_state=True, return_sequences=True))(
        L.Embedding(10, 2, mask_zero=True)(x_in), initial_state=states_in)
    model = nnkit.Model([x_in, *states_in], outs)
    model.set_weights(weights)
    assert_all_close(predict_list(model, inputs), expected)


# ---- gradients through initial_state (float64) -----------------------------------------
@pytest.fixture
def float64():
    nnkit.set_floatx("float64")
    yield
    nnkit.set_floatx("float32")


RAGGED_MASK = np.array([[1, 1, 1, 1], [1, 1, 0, 0], [0, 0, 0, 0], [1, 0, 0, 0]], bool)


@pytest.mark.parametrize("make", [
    lambda: L.LSTM(3, return_sequences=True, return_state=True),
    lambda: L.GRU(3, return_state=True, go_backwards=True),
    lambda: L.GRU(3, return_sequences=True, reset_after=False),
    lambda: L.SimpleRNN(3, return_state=True),
    lambda: L.Bidirectional(L.LSTM(3, return_sequences=True, return_state=True)),
], ids=["lstm", "gru_backwards", "gru_reset_before", "simple_rnn", "bidirectional"])
def test_state_inputs_get_exact_gradients_under_a_ragged_mask(make, float64):
    rng = np.random.default_rng(0)
    layer = make()
    x = rng.normal(size=(4, 4, 2))
    sizes = [(3,)] * (2 if "LSTM" in repr(layer) or isinstance(layer, L.Bidirectional) else 1)
    if isinstance(layer, L.Bidirectional):
        sizes = sizes * 2
    states = [rng.normal(size=(4,) + size) for size in sizes]
    errors = check_gradients(layer, [x, *states], mask=RAGGED_MASK)
    assert {f"x[{i}]" for i in range(1 + len(states))} <= set(errors)


def test_keyword_initial_state_gradient_check(float64):
    rng = np.random.default_rng(1)
    layer = L.LSTM(3, return_state=True)
    x = rng.normal(size=(3, 5, 2))
    states = [rng.normal(size=(3, 3)) for _ in range(2)]
    errors = check_gradients(layer, x, initial_state=states)
    assert "x" in errors and "kernel" in errors
    assert len(layer.initial_state_grads) == 2


def test_bptt_reaches_the_encoder_through_the_decoder_initial_state(float64):
    rng = np.random.default_rng(2)
    enc_in, dec_in, h_extra = nnkit.Input((None, 2)), nnkit.Input((None, 2)), nnkit.Input((3,))
    encoder = L.LSTM(3, return_state=True)
    _, h, c = encoder(enc_in)
    h = L.Add()([h, h_extra])
    seq = L.LSTM(3, return_sequences=True)(dec_in, initial_state=[h, c])
    model = nnkit.Model([enc_in, dec_in, h_extra], L.Dense(2)(seq))
    model.compile("sgd", "mse")
    x = [rng.normal(size=(3, 4, 2)), rng.normal(size=(3, 5, 2)), rng.normal(size=(3, 3))]
    errors = check_gradients(model, x, rng.normal(size=(3, 5, 2)), check_inputs=True)
    assert {f"{encoder.name}/{key}" for key in encoder.params} <= set(errors)
    assert len([key for key in errors if key.startswith("x[")]) == 3      # h_extra's too
    grads = model.named_gradients()
    assert all(np.abs(grads[f"{encoder.name}/{key}"]).max() > 0 for key in encoder.params)


def test_rows_starting_from_different_states_equal_rows_run_alone():
    rng = np.random.default_rng(3)
    layer = L.LSTM(4, return_sequences=True, return_state=True)
    x = rng.normal(size=(4, 4, 3)).astype("float32")
    states = [rng.normal(size=(4, 4)).astype("float32") for _ in range(2)]
    together = layer([x, *states], mask=RAGGED_MASK)
    for row in range(4):
        alone = layer([x[row:row + 1], states[0][row:row + 1], states[1][row:row + 1]],
                      mask=RAGGED_MASK[row:row + 1])
        for whole, one in zip(together, alone):
            np.testing.assert_allclose(whole[row], one[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(together[1][2], states[0][2])     # no valid step: h0 kept


# ---- graphs with state nodes: configs, checkpoints, errors -----------------------------
def test_initial_state_nodes_survive_config_and_checkpoint(tmp_path):
    inputs, weights, expected, _ = fixture("encoder_decoder")
    model = encoder_decoder_model()
    model.set_weights(weights)
    model.save(tmp_path / "s2s.h5")
    loaded = nnkit.models.load_model(tmp_path / "s2s.h5")
    assert_all_close(predict_list(loaded, inputs), expected)


def test_array_initial_state_on_symbolic_input_is_refused():
    x = nnkit.Input((None, 3))
    with pytest.raises(InvalidArgumentError, match="initial_state must be symbolic"):
        L.LSTM(2)(x, initial_state=[np.zeros((1, 2)), np.zeros((1, 2))])


# ---- a Keras seq2seq file, rebuilt into encoder and one-step decoder models --------------
def test_keras_seq2seq_file_loads_and_rebuilds_inference_models():
    inputs, _, expected, arrays = fixture("seq2seq")
    model = nnkit.models.load_model(FIXTURES / "seq2seq.keras")
    assert_all_close(predict_list(model, inputs), expected)
    encoder = nnkit.Model(model.input[0], list(model.layers[2].output[1:]))
    h_in, c_in = nnkit.Input((8,)), nnkit.Input((8,))
    seq, h, c = model.layers[3](model.input[1], initial_state=[h_in, c_in])
    decoder = nnkit.Model([model.input[1], h_in, c_in], [model.layers[4](seq), h, c])
    states = predict_list(encoder, [inputs[0]])
    assert_all_close(states, [arrays["enc0"], arrays["enc1"]])
    step = predict_list(decoder, [inputs[1][:, :1], *states])
    assert_all_close(step, [arrays[f"dec{i}"] for i in range(3)])
    decoder.layers[-1].params["kernel"][...] += 1.0              # the weights are shared
    assert np.array_equal(model.layers[4].get_weights()[0], decoder.layers[-1].get_weights()[0])


def test_keras_file_with_a_masked_decoder_reads_initial_state_as_keras():
    inputs, _, expected, _ = fixture("encoder_decoder")
    model = nnkit.models.load_model(FIXTURES / "encoder_decoder.keras")
    assert_all_close(predict_list(model, inputs), expected)
