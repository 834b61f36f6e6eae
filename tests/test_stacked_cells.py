"""StackedCells: one loop over a stack of cells, aliased params, and the step API."""
import numpy as np
import pytest

import nnkit
from nnkit.testing import check_gradients

MASK = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 1], [1, 0, 1, 0, 1]], bool)


@pytest.mark.parametrize("options", [
    dict(layers=[4, 3], celltype="lstm", return_sequences=True),
    dict(layers=[4, 3], celltype="rnn", return_state=True, go_backwards=True),
    dict(layers=[3, 4, 3], celltype=["rnn", "lstm", "lstm"], dropout=0.3, return_sequences=True),
])
def test_gradients_through_masks_and_dropout(float64, options):
    rng = np.random.default_rng(0)
    check_gradients(nnkit.StackedCells(2, **options), rng.normal(size=(3, 5, 2)), mask=MASK)


def test_initial_state_gradients(float64):
    rng = np.random.default_rng(1)
    stack = nnkit.StackedCells(2, layers=[3, 2], celltype=["lstm", "rnn"], return_state=True)
    x = rng.normal(size=(3, 5, 2))
    states = [rng.normal(size=(3, size)) for size in (3, 3, 2)]
    weights = [rng.normal(size=o.shape) for o in stack(x, mask=MASK, initial_state=states)]

    def loss():
        return sum((w * o).sum() for w, o in zip(weights, stack(x, mask=MASK, initial_state=states)))

    stack(x, training=True, mask=MASK, initial_state=states)
    stack.backward(weights)
    for state, grad in zip(states, stack.initial_state_grads):
        for index in np.ndindex(state.shape):
            keep = state[index]
            state[index] = keep + 1e-6
            plus = loss()
            state[index] = keep - 1e-6
            minus = loss()
            state[index] = keep
            assert abs((plus - minus) / 2e-6 - grad[index]) < 1e-7


def test_params_alias_the_cells_arrays():
    stack = nnkit.StackedCells(2, layers=[4, 3], celltype=["lstm", "rnn"])
    assert list(stack.params) == [f"cell_{i}/{k}" for i in range(2)
                                  for k in ("kernel", "recurrent_kernel", "bias")]
    assert stack.params["cell_0/kernel"].shape == (2, 16)
    assert stack.params["cell_1/recurrent_kernel"].shape == (3, 3)
    for index, cell in enumerate(stack.cells):
        for key in cell.params:
            assert stack.params[f"cell_{index}/{key}"] is cell.params[key]
            assert stack.grads[f"cell_{index}/{key}"] is cell.grads[key]


@pytest.mark.parametrize("celltype", ["lstm", "rnn", ["gated_input", "lstm"]])
def test_stepping_equals_the_full_forward(celltype):
    stack = nnkit.StackedCells(2, layers=[3, 3], celltype=celltype, return_sequences=True)
    x = np.random.default_rng(2).normal(size=(4, 6, 2)).astype(np.float32)
    states = stack.initial_state(4)
    outputs = []
    for t in range(6):
        y, states = stack.step(x[:, t], states)
        outputs.append(y)
    np.testing.assert_allclose(np.stack(outputs, axis=1), stack(x), atol=1e-6)
    full = nnkit.StackedCells(2, layers=[3, 3], celltype=celltype, return_state=True)
    full.set_weights(stack.get_weights())
    for a, b in zip(full(x)[1:], states):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_closed_loop_rollout_feeds_outputs_back():
    stack = nnkit.StackedCells(3, layers=[3], celltype="rnn")
    states = stack.initial_state(2)
    x_t = np.ones((2, 3), np.float32)
    trajectory = []
    for _ in range(10):
        x_t, states = stack.step(x_t, states)
        trajectory.append(x_t)
    trajectory = np.stack(trajectory)
    assert trajectory.shape == (10, 2, 3) and np.all(np.isfinite(trajectory))
    assert not np.allclose(trajectory[0], trajectory[-1])


def test_bad_arguments_are_explained():
    with pytest.raises(nnkit.InvalidArgumentError, match="celltype"):
        nnkit.StackedCells(2, layers=[3, 3], celltype=["lstm"])
    with pytest.raises(nnkit.InvalidArgumentError, match="gated_input"):
        nnkit.StackedCells(2, layers=[3, 4], celltype=["gated_input", "lstm"])
    with pytest.raises(nnkit.InvalidArgumentError, match="gated_input"):
        nnkit.StackedCells(2, layers=[3], celltype="gated_input")
    stack = nnkit.StackedCells(2, layers=[3], name="stack")
    with pytest.raises(nnkit.ShapeError, match="stack.*\\(N, 2\\).*received"):
        stack.step(np.zeros((4, 5)), stack.initial_state(4))
    with pytest.raises(nnkit.ShapeError, match="stack.*received"):
        stack(np.zeros((4, 5, 3)))


def test_config_round_trip():
    stack = nnkit.StackedCells(2, layers=[3, 3, 4], celltype=["gated_input", "lstm", "rnn"],
                               dropout=0.2, return_sequences=True)
    clone = nnkit.StackedCells.from_config(stack.get_config())
    assert clone.get_config() == stack.get_config()
    assert [p.shape for p in clone.params.values()] == [p.shape for p in stack.params.values()]
