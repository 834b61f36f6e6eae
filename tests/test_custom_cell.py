"""The public custom-cell API, through the example's output-peephole LSTM (Theano tutorial)."""
import importlib.util
import pathlib

import numpy as np
import pytest

import nnkit
from nnkit.testing import check_gradients

EXAMPLE = pathlib.Path(__file__).resolve().parents[1] / "examples" / "custom_cell_peephole.py"
spec = importlib.util.spec_from_file_location("custom_cell_peephole", EXAMPLE)
peephole = importlib.util.module_from_spec(spec)
spec.loader.exec_module(peephole)
Cell = peephole.OutputPeepholeLSTMCell

MASK = np.array([[1, 1, 1, 1, 0, 0], [0, 0, 1, 1, 1, 1], [1, 0, 1, 1, 0, 1],
                 [0, 0, 0, 0, 0, 0]], bool)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def reference(x, mask, kernel, recurrent_kernel, bias, peephole_weights):
    n, t, _ = x.shape
    units = peephole_weights.shape[0]
    ys = np.zeros((n, t, units))
    for row in range(n):
        h, c = np.zeros(units), np.zeros(units)
        for step in range(t):
            if mask[row, step]:
                z = x[row, step] @ kernel + h @ recurrent_kernel + bias
                i, f = sigmoid(z[:units]), sigmoid(z[units:2 * units])
                g = np.tanh(z[2 * units:3 * units])
                c = f * c + i * g
                h = sigmoid(z[3 * units:] + c @ peephole_weights) * np.tanh(c)
            ys[row, step] = h
    return ys


def randomised(layer, shape):
    layer.build(shape)
    rng = np.random.default_rng(0)
    layer.set_weights([rng.uniform(-0.6, 0.6, size=w.shape) for w in layer.get_weights()])
    return layer


def test_matches_the_tutorial_equations(float64):
    x = np.random.default_rng(1).normal(size=(4, 6, 3))
    layer = randomised(nnkit.RNN(Cell(3), return_sequences=True), (6, 3))
    assert [w.shape for w in layer.get_weights()] == [(3, 12), (3, 12), (12,), (3, 3)]
    np.testing.assert_allclose(layer(x, mask=MASK), reference(x, MASK, *layer.get_weights()),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kwargs", [dict(return_sequences=True), dict(go_backwards=True),
                                    dict(return_state=True, dropout=0.2, recurrent_dropout=0.3)])
def test_gradients_through_masks(kwargs, float64):
    x = np.random.default_rng(2).normal(size=(4, 6, 3))
    check_gradients(randomised(nnkit.RNN(Cell(3), **kwargs), (6, 3)), x, mask=MASK)


def test_bidirectional_and_stacked(float64):
    x = np.random.default_rng(3).normal(size=(4, 6, 3))
    check_gradients(randomised(nnkit.Bidirectional(nnkit.RNN(Cell(2), return_sequences=True)),
                               (6, 3)), x, mask=MASK)
    stack = nnkit.StackedCells(3, layers=[3, 2], celltype=["output_peephole_lstm", "gru"])
    check_gradients(stack, x, mask=MASK)


def test_saves_and_loads_by_registered_name(tmp_path):
    x = np.random.default_rng(4).integers(1, 30, size=(8, 6))
    x[:3, 4:] = 0
    model = nnkit.Sequential([nnkit.Embedding(30, 4, mask_zero=True),
                              nnkit.RNN(Cell(3)), nnkit.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, np.arange(8) % 2, epochs=1, verbose=0)
    model.save(tmp_path / "peephole.h5")
    restored = nnkit.load_model(tmp_path / "peephole.h5")
    assert isinstance(restored.layers[1].cell, Cell)
    np.testing.assert_array_equal(model.predict(x), restored.predict(x))


def test_unknown_celltype_lists_the_registered_ones():
    with pytest.raises(nnkit.InvalidArgumentError, match="output_peephole_lstm"):
        nnkit.StackedCells(3, layers=[3], celltype="no_such_cell")
