"""Both fast paths (NumPy steps, compiled loops) against the textbook reference steps.

``nnkit.layers.recurrent.reference`` computes LSTM, GRU (both variants) and
SimpleRNN the plain way in Keras's layout; it is first checked against Keras's
own outputs (the fixtures of ``test_keras_reference.py``). The layers are then
run on the NumPy steps (``compiled_loop`` patched to None) and on the compiled
loops (where built and applicable), with ragged masks and without, float32
and float64, every output option; float64 gradients are checked against
central differences of the reference.
"""
import json
import pathlib

import numpy as np
import pytest

import nnkit
from nnkit.layers.recurrent import gate_layout, reference

from numeric import numeric_grad

FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures" / "keras"
MASK = np.array([[1, 1, 1, 1, 1, 0, 0],      # post-padding
                 [0, 0, 1, 1, 1, 1, 1],      # pre-padding
                 [1, 0, 1, 1, 0, 1, 0],      # holes
                 [0, 0, 0, 0, 0, 0, 0],      # no valid step: outputs the initial state
                 [1, 1, 1, 1, 1, 1, 1],      # full length
                 [0, 0, 0, 1, 0, 0, 0]], bool)   # one step
N, T, D, H = MASK.shape[0], MASK.shape[1], 3, 4

# layer factories by case name; "compiled" marks those a compiled loop runs
CASES = {
    "lstm": (lambda **kw: nnkit.LSTM(H, **kw), True),
    "gru_reset_after": (lambda **kw: nnkit.GRU(H, reset_after=True, **kw), True),
    "gru_reset_before": (lambda **kw: nnkit.GRU(H, reset_after=False, **kw), False),
    "gru_relu_tanh_gates": (lambda **kw: nnkit.GRU(H, activation="relu",
                                                   recurrent_activation="tanh", **kw), False),
    "rnn_tanh": (lambda **kw: nnkit.RNN(H, **kw), False),
    "rnn_sigmoid": (lambda **kw: nnkit.RNN(H, activation="sigmoid", **kw), False),
    "rnn_relu": (lambda **kw: nnkit.RNN(H, activation="relu", **kw), False),
    "rnn_linear": (lambda **kw: nnkit.RNN(H, activation="linear", **kw), False),
}
PATHS = [(case, path) for case, (_, compiled) in CASES.items()
         for path in (("numpy", "compiled") if compiled else ("numpy",))]


@pytest.mark.parametrize("name", ["lstm_post", "lstm_pre", "gru_seq_post_after",
                                  "gru_seq_pre_before", "gru_last_back_post_after",
                                  "gru_last_back_pre_before", "gru_state_post",
                                  "simple_rnn_post", "simple_rnn_pre"])
def test_reference_reproduces_keras(name):
    arrays = np.load(FIXTURES / f"{name}.npz")
    (class_name, kwargs), = json.loads(str(arrays["spec"]))["layers"]
    layer = getattr(nnkit, class_name)(**kwargs)
    x = arrays["x"].astype(np.float64)
    layer.build(x.shape[1:])
    layer.set_weights([arrays[f"w{i}"] for i in range(3)])
    cell = layer.cells[0]
    zeros = [np.zeros((x.shape[0], cell.units)) for _ in cell.state_names]
    outputs, finals = reference.run(reference.cell_step(cell), x, zeros, arrays["mask"],
                                    layer.go_backwards)
    expected = outputs if layer.return_sequences else outputs[:, -1]
    np.testing.assert_allclose(expected, arrays["y0"], rtol=2e-5, atol=2e-5)
    if layer.return_state:
        np.testing.assert_allclose(finals[0], arrays["y1"], rtol=2e-5, atol=2e-5)


def make_layer(case, path, dtype, monkeypatch, **kwargs):
    """A built layer of ``case`` with random weights, forced onto ``path``."""
    nnkit.set_floatx(dtype)
    layer = CASES[case][0](return_state=True, **kwargs)
    layer.build((T, D))
    rng = np.random.default_rng(len(case))
    layer.set_weights([rng.normal(scale=0.5, size=w.shape) for w in layer.get_weights()])
    cell = layer.cells[0]
    loop = cell.compiled_loop(dtype)
    if path == "compiled" and loop is None:
        pytest.skip("the compiled loops are not built here (or not run by this CPU's build)")
    asked = []

    def compiled_loop(dtype):               # the time loop asks its cell at every forward
        asked.append(dtype)
        return loop if path == "compiled" else None

    monkeypatch.setattr(cell, "compiled_loop", compiled_loop)
    return layer, asked


def inputs(layer, dtype, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(N, T, D)).astype(dtype)
    initial = [rng.normal(size=(N, H)).astype(dtype) for _ in layer.cells[0].state_names]
    return x, initial


@pytest.mark.parametrize("case, path", PATHS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("return_sequences", [True, False])
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("mask", [MASK, None], ids=["ragged", "no_mask"])
def test_forward_matches_reference(monkeypatch, case, path, dtype, return_sequences,
                                   go_backwards, mask):
    layer, asked = make_layer(case, path, dtype, monkeypatch, return_sequences=return_sequences,
                              go_backwards=go_backwards)
    x, initial = inputs(layer, dtype, seed=1)
    y, *finals = layer(x, mask=mask, initial_state=initial)
    assert asked == [dtype], "the time loop did not ask the cell which path to run"
    as64 = [a.astype(np.float64) for a in [x, *initial]]
    outputs, expected_finals = reference.run(reference.cell_step(layer.cells[0]), as64[0],
                                             as64[1:], mask, go_backwards)
    expected_y = outputs if return_sequences else outputs[:, -1]
    tol = 1e-12 if dtype == "float64" else 2e-5
    for got, want in zip([y, *finals], [expected_y, *expected_finals]):
        assert got.dtype == dtype
        np.testing.assert_allclose(got, want, rtol=0, atol=tol * max(1.0, np.abs(want).max()))


@pytest.mark.parametrize("case, path", PATHS)
@pytest.mark.parametrize("go_backwards", [False, True])
def test_gradients_match_reference(float64, monkeypatch, case, path, go_backwards):
    layer, _ = make_layer(case, path, "float64", monkeypatch, return_sequences=True,
                          go_backwards=go_backwards)
    x, initial = inputs(layer, "float64", seed=2)
    rng = np.random.default_rng(3)
    dy = rng.normal(size=(N, T, H))
    d_finals = [rng.normal(size=(N, H)) for _ in initial]
    layer(x, training=True, mask=MASK, initial_state=initial)
    dx = layer.backward([dy, *d_finals])
    cell = layer.cells[0]

    def loss():                             # reads the cell's weights as numeric_grad bumps them
        outputs, finals = reference.run(reference.cell_step(cell), x, initial, MASK,
                                        go_backwards)
        return (dy * outputs).sum() + sum((d * f).sum() for d, f in zip(d_finals, finals))

    checks = [("x", dx, x)] + [(key, cell.grads[key], cell.params[key]) for key in cell.params] + [
        (f"initial {name}", grad, state) for name, grad, state
        in zip(cell.state_names, layer.initial_state_grads, initial)]
    for name, analytic, value in checks:
        np.testing.assert_allclose(analytic, numeric_grad(loss, value), rtol=0, atol=1e-6,
                                   err_msg=name)


@pytest.mark.xfail(strict=True, reason="nnkit's LSTM applies tanh to c_t whatever its "
                   "activation; Keras applies the activation (reference: o ⊙ act(c_t))")
def test_lstm_with_another_activation_matches_reference(monkeypatch):
    layer, _ = make_layer("lstm", "numpy", "float64", monkeypatch, activation="relu")
    x, initial = inputs(layer, "float64", seed=4)
    _, h, _ = layer(x, mask=MASK, initial_state=initial)
    _, (ref_h, _) = reference.run(reference.cell_step(layer.cells[0]), x, initial, MASK)
    np.testing.assert_allclose(h, ref_h, atol=1e-12)


def test_lstm_loop_layout_is_a_block_permutation_of_keras():
    weight = np.random.default_rng(5).normal(size=(3, 4 * H))
    i, f, c, o = np.split(weight, 4, axis=1)
    np.testing.assert_array_equal(gate_layout.lstm_loop_order(np, weight),
                                  np.concatenate([i, f, o, c], axis=1))
    np.testing.assert_array_equal(gate_layout.lstm_loop_order(np, weight, True),
                                  np.concatenate([i / 2, f / 2, o / 2, c], axis=1))
    back = np.zeros_like(weight)
    gate_layout.lstm_add_to_keras_order(back, gate_layout.lstm_loop_order(np, weight))
    np.testing.assert_array_equal(back, weight)
