"""Stateful recurrent layers: the states carry from call to call until reset_states().

Keras 3.15's numbers come from ``tests/fixtures/make_rnn_state_fixtures.py``: consecutive eager
``model(x)`` calls, because Keras 3.15's ``predict`` on JAX drops a stateful layer's state update
(every call starts from zeros there); nnkit's ``predict`` carries the states as Keras documents.
"""
import pathlib

import numpy as np
import pytest

import nnkit
from nnkit import layers as L
from nnkit.errors import InvalidArgumentError, ShapeError
from nnkit.layers.recurrent import GRUCell

FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures" / "rnn_state"
RNG = np.random.default_rng(7)


def stateful_model(batch=3):
    x_in = nnkit.Input(batch_shape=(batch, 4, 2))
    lstm = L.LSTM(5, stateful=True, return_sequences=True)
    return nnkit.Model(x_in, L.Dense(2)(lstm(x_in))), lstm


def test_consecutive_predicts_and_a_reset_as_in_keras():
    arrays = dict(np.load(FIXTURES / "stateful_lstm.npz"))
    model, lstm = stateful_model()
    model.set_weights([arrays[f"w{i}"] for i in range(5)])
    xs = [arrays[f"x{i}"] for i in range(3)]
    got = [model.predict(xs[0], batch_size=3, verbose=0),
           model.predict(xs[1], batch_size=3, verbose=0)]
    lstm.reset_states()
    got += [model.predict(xs[2], batch_size=3, verbose=0),
            model.predict(xs[0], batch_size=3, verbose=0)]
    for i, value in enumerate(got):
        np.testing.assert_allclose(value, arrays[f"y{i}"], rtol=1e-5, atol=2e-6)
    model.reset_states()
    np.testing.assert_allclose(model.predict(xs[0], batch_size=3, verbose=0), arrays["y0"],
                               rtol=1e-5, atol=2e-6)


def test_a_batch_of_another_size_is_refused_by_name():
    model, _ = stateful_model()
    with pytest.raises(ShapeError, match="stateful with batch size 3.*received a batch of 2"):
        model.predict(np.zeros((2, 4, 2), "float32"), batch_size=2, verbose=0)


@pytest.mark.parametrize("make", [
    lambda: L.SimpleRNN(3, stateful=True, return_sequences=True),
    lambda: L.GRU(3, stateful=True, return_sequences=True),
    lambda: L.LSTM(3, stateful=True, return_sequences=True),
    lambda: L.RNN(GRUCell(3), stateful=True, return_sequences=True),
], ids=["simple_rnn", "gru", "lstm", "custom_cell"])
def test_a_sequence_fed_in_chunks_equals_the_whole_sequence(make):
    layer = make()
    model = nnkit.Sequential([nnkit.Input((None, 2)), layer])
    x = RNG.normal(size=(2, 9, 2)).astype("float32")
    chunks = [model.predict(x[:, start:start + 3], verbose=0) for start in (0, 3, 6)]
    twin = type(layer).from_config({**layer.get_config(), "stateful": False, "name": "twin"})
    whole = twin(x[:, :1])
    twin.set_weights(layer.get_weights())
    np.testing.assert_allclose(np.concatenate(chunks, axis=1), twin(x), rtol=1e-5, atol=1e-6)
    assert "stateful" not in twin.get_config() and layer.get_config()["stateful"] is True
    del whole


def test_bidirectional_carries_both_directions_states():
    bi = L.Bidirectional(L.LSTM(3, stateful=True, return_state=True))
    x = RNG.normal(size=(2, 4, 2)).astype("float32")
    _, *states = bi(x)
    second = bi(x)
    plain = L.Bidirectional(L.LSTM(3, return_state=True))
    plain(x)
    plain.set_weights(bi.get_weights())
    expected = plain(x, initial_state=states)
    for got, want in zip(second, expected):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    bi.reset_states()
    assert all(np.abs(s).max() == 0 for s in bi.layer.states + bi.backward_layer.states)


def test_train_on_batch_and_fit_carry_the_states():
    model, lstm = stateful_model(batch=2)
    model.compile("sgd", "mse")
    x = RNG.normal(size=(2, 4, 2)).astype("float32")
    twin = L.LSTM(5, return_state=True)
    twin(x)
    twin.set_weights(lstm.get_weights())
    _, h, c = twin(x)
    model.train_on_batch(x, np.zeros((2, 4, 2), "float32"))
    np.testing.assert_allclose(lstm.states[0], h, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(lstm.states[1], c, rtol=1e-5, atol=1e-6)
    model.reset_states()
    model.fit(np.tile(x, (2, 1, 1)), np.zeros((4, 4, 2), "float32"), batch_size=2,
              shuffle=False, epochs=1, verbose=0)
    assert lstm.states[0].shape == (2, 5) and np.abs(lstm.states[0]).max() > 0


def test_reset_states_to_given_values_and_wrong_shapes():
    model, lstm = stateful_model()
    model.predict(np.zeros((3, 4, 2), "float32"), batch_size=3, verbose=0)
    values = [RNG.normal(size=(3, 5)).astype("float32") for _ in range(2)]
    lstm.reset_states(values)
    np.testing.assert_array_equal(lstm.states[1], values[1])
    with pytest.raises(ShapeError, match="reset_states expected 2 arrays"):
        lstm.reset_states([np.zeros((3, 5))])
    with pytest.raises(InvalidArgumentError, match="stateful"):
        L.LSTM(2).reset_states()


def test_states_are_saved_and_restored_with_the_model(tmp_path):
    model, lstm = stateful_model()
    x = RNG.normal(size=(3, 4, 2)).astype("float32")
    model.predict(x, batch_size=3, verbose=0)
    model.save(tmp_path / "stateful.h5")
    loaded = nnkit.models.load_model(tmp_path / "stateful.h5")
    restored = [layer for layer in loaded.layers if getattr(layer, "stateful", False)][0]
    for saved, back in zip(lstm.states, restored.states):
        np.testing.assert_array_equal(saved, back)
    np.testing.assert_array_equal(model.predict(x, batch_size=3, verbose=0),
                                  loaded.predict(x, batch_size=3, verbose=0))
    assert len(loaded.get_weights()) == len(model.get_weights())     # states are not weights
