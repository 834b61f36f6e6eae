"""GatedInput: a scalar gate per example from the input and the layer above's previous state."""
import numpy as np
import pytest

import nnkit
from nnkit.testing import check_gradients

MASK = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 1], [1, 0, 1, 0, 1]], bool)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def reference(x, gate, rnn):
    """GatedInput (w, u, b) under a tanh RNN (W, U, c), no mask, plain loops."""
    w, u, b = gate
    kernel, recurrent_kernel, bias = rnn
    h = np.zeros((x.shape[0], recurrent_kernel.shape[0]))
    gates, ys = [], []
    for t in range(x.shape[1]):
        gamma = sigmoid(x[:, t] @ w + h @ u + b)             # reads h_{t-1} of the layer above
        h = np.tanh((gamma * x[:, t]) @ kernel + h @ recurrent_kernel + bias)
        gates.append(gamma)
        ys.append(h)
    return np.stack(ys, 1), np.stack(gates, 1)


def test_forward_matches_reference(float64):
    rng = np.random.default_rng(0)
    stack = nnkit.StackedCells(3, layers=[4, 4], celltype=["gated_input", "rnn"],
                               return_sequences=True)
    weights = [rng.normal(size=w.shape) for w in stack.get_weights()]
    stack.set_weights(weights)
    x = rng.normal(size=(2, 5, 3))
    expected, gates = reference(x, weights[:3], weights[3:])
    np.testing.assert_allclose(stack(x), expected, atol=1e-12)
    assert gates.shape == (2, 5, 1) and np.all((gates > 0) & (gates < 1))


@pytest.mark.parametrize("celltype", [["gated_input", "lstm"], ["gated_input", "rnn", "lstm"]])
def test_gradients(float64, celltype):
    rng = np.random.default_rng(1)
    layers = [4] * len(celltype)
    check_gradients(nnkit.StackedCells(2, layers=layers, celltype=celltype, dropout=0.2,
                                       return_sequences=True),
                    rng.normal(size=(3, 5, 2)), mask=MASK)


def test_a_closed_gate_blocks_the_input():
    stack = nnkit.StackedCells(2, layers=[3, 3], celltype=["gated_input", "rnn"])
    x = np.random.default_rng(2).normal(size=(2, 4, 2)).astype(np.float32)
    weights = stack.get_weights()
    weights[2][...] = -1e4                                   # gate bias: γ = σ(-1e4) = 0
    stack.set_weights(weights)
    np.testing.assert_allclose(stack(x), stack(np.zeros_like(x)), atol=1e-6)
    assert stack.params["cell_0/kernel"].shape == (2, 1)
    assert stack.params["cell_0/recurrent_kernel"].shape == (3, 1)
