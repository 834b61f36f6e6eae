"""GRU (both of Keras's variants), SimpleRNN and Masking: float64 BPTT through masks.

Against the textbook reference steps: ``test_reference_steps.py``.
"""
import json

import numpy as np
import pytest

import nnkit
from nnkit.registry import LAYERS
from nnkit.testing import check_gradients, check_padding_invariance

MASK = np.array([[1, 1, 1, 1, 0, 0],      # post-padding
                 [0, 0, 1, 1, 1, 1],      # pre-padding
                 [1, 0, 1, 1, 0, 1],      # holes
                 [0, 0, 0, 0, 0, 0]], bool)  # no valid step


def randomised(layer, shape, seed=0):
    layer.build(shape)
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.uniform(-0.7, 0.7, size=w.shape) for w in layer.get_weights()])
    return layer


@pytest.mark.parametrize("reset_after", [True, False])
def test_keras_weight_layout(reset_after):
    layer = nnkit.GRU(4, reset_after=reset_after)
    layer(np.zeros((2, 3, 5), np.float32))
    bias = (2, 12) if reset_after else (12,)
    assert [w.shape for w in layer.get_weights()] == [(5, 12), (4, 12), bias]
    assert list(layer.params) == ["kernel", "recurrent_kernel", "bias"]


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("kwargs", [dict(return_sequences=True), dict(go_backwards=True),
                                    dict(return_state=True, return_sequences=True),
                                    dict(dropout=0.3, recurrent_dropout=0.4,
                                         return_sequences=True)])
def test_gradients_through_masks(reset_after, kwargs, float64):
    x = np.random.default_rng(2).normal(size=(4, 6, 3))
    layer = randomised(nnkit.GRU(3, reset_after=reset_after, **kwargs), (6, 3))
    check_gradients(layer, x, mask=MASK)


@pytest.mark.parametrize("reset_after", [True, False])
def test_gradients_of_initial_state(reset_after, float64):
    rng = np.random.default_rng(3)
    x, h0 = rng.normal(size=(4, 6, 3)), rng.normal(size=(4, 2))
    layer = randomised(nnkit.GRU(2, reset_after=reset_after, return_state=True), (6, 3))
    check_gradients(layer, x, mask=MASK, initial_state=[h0])
    layer(x, training=True, mask=MASK, initial_state=[h0])
    layer.backward([np.ones((4, 2)), None])
    assert layer.initial_state_grads[0].shape == (4, 2)


def test_bidirectional_and_stacked_gradients(float64):
    x = np.random.default_rng(4).normal(size=(4, 6, 3))
    check_gradients(randomised(nnkit.Bidirectional(nnkit.GRU(2, return_sequences=True)), (6, 3)),
                    x, mask=MASK)
    stack = nnkit.StackedCells(3, layers=[3, 2], celltype=["gru", "lstm"], dropout=0.2,
                               return_sequences=True)
    check_gradients(stack, x, mask=MASK)


def test_stacked_gru_step_api_matches_the_layer():
    stack = nnkit.StackedCells(3, layers=[4], celltype="gru")
    x = np.random.default_rng(5).normal(size=(2, 5, 3)).astype("float32")
    states = stack.initial_state(2)
    for t in range(5):
        y, states = stack.step(x[:, t], states)
    np.testing.assert_allclose(y, stack(x), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("side", ["pre", "post"])
def test_gru_model_is_padding_invariant(side):
    rng = np.random.default_rng(6)
    x = rng.integers(1, 30, size=(6, 9))
    lengths = [9, 5, 3, 1, 7, 2]
    for row, length in enumerate(lengths):
        if side == "post":
            x[row, length:] = 0
        else:
            x[row, :9 - length] = 0
    model = nnkit.Sequential([nnkit.Embedding(30, 4, mask_zero=True),
                              nnkit.Bidirectional(nnkit.GRU(3, return_sequences=True)),
                              nnkit.GlobalAveragePooling1D(), nnkit.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    check_padding_invariance(model, x, rng.integers(0, 2, size=6))


def test_model_gradients_through_masking_and_gru(float64):
    rng = np.random.default_rng(7)
    x = rng.normal(size=(4, 6, 3))
    x[~MASK] = 0.0
    model = nnkit.Sequential([nnkit.Masking(input_shape=(6, 3)), nnkit.GRU(3, reset_after=False),
                              nnkit.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    check_gradients(model, x, np.array([0, 1, 1, 0]))
    _, mask = model.layers[0].apply(x)
    np.testing.assert_array_equal(mask, MASK)


def test_masking_zeroes_masked_steps_and_passes_gradients_of_valid_ones(float64):
    x = np.random.default_rng(8).normal(size=(4, 6, 3))
    x[~MASK] = 2.5
    layer = nnkit.Masking(2.5)
    np.testing.assert_array_equal(layer(x)[~MASK], 0.0)
    # moving a padded entry off mask_value unmasks its step, so only valid entries have a
    # derivative: compare those with central differences
    weights = np.random.default_rng(9).normal(size=x.shape)
    layer(x, training=True)
    dx = layer.backward(weights)
    np.testing.assert_array_equal(dx[~MASK], 0.0)
    for row, step, feature in zip(*np.nonzero(np.broadcast_to(MASK[:, :, None], x.shape))):
        bumped = x.copy()
        bumped[row, step, feature] += 1e-6
        numeric = ((layer(bumped) - layer(x)) * weights).sum() / 1e-6
        assert abs(numeric - dx[row, step, feature]) < 1e-6


def test_simple_rnn_is_keras_name_for_rnn(tmp_path):
    assert nnkit.SimpleRNN is nnkit.RNN
    assert LAYERS.get("SimpleRNN") is nnkit.RNN
    model = nnkit.Sequential([nnkit.SimpleRNN(3, input_shape=(4, 2)), nnkit.Dense(1)])
    config = json.loads(json.dumps(model.get_config()))
    config["layers"][0]["class_name"] = "SimpleRNN"      # a config written by Keras's name
    clone = nnkit.Sequential.from_config(config)
    assert isinstance(clone.layers[0], nnkit.RNN)


@pytest.mark.parametrize("make, match", [
    (lambda: nnkit.GRU(0), "units must be a positive integer"),
    (lambda: nnkit.GRU(3, activation="softplus"), "activation must be one of"),
    (lambda: nnkit.GRU(3, recurrent_dropout=1.0), "recurrent_dropout must be in"),
])
def test_bad_arguments(make, match):
    with pytest.raises(nnkit.InvalidArgumentError, match=match):
        make()


def test_bad_shapes_name_the_layer():
    layer = nnkit.GRU(3, name="gru_x")
    with pytest.raises(nnkit.ShapeError, match="gru_x.*rank in \\(3,\\)"):
        layer(np.ones((2, 4)))
    layer(np.ones((2, 4, 5)))
    with pytest.raises(nnkit.ShapeError, match="gru_x"):
        layer(np.ones((2, 4, 6)))
    with pytest.raises(nnkit.ShapeError, match="initial_state"):
        layer(np.ones((2, 4, 5)), initial_state=[np.ones((2, 4))])


def test_gru_save_and_load_round_trip(tmp_path):
    x = np.random.default_rng(9).integers(1, 20, size=(8, 5))
    model = nnkit.Sequential([nnkit.Embedding(20, 4, mask_zero=True),
                              nnkit.GRU(3, reset_after=False, return_sequences=True),
                              nnkit.GRU(3), nnkit.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, np.arange(8) % 2, epochs=1, verbose=0)
    model.save(tmp_path / "gru.h5")
    restored = nnkit.load_model(tmp_path / "gru.h5")
    np.testing.assert_array_equal(model.predict(x), restored.predict(x))
