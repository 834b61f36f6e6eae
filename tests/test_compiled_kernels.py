"""The NumPy backend's compiled kernels: built, used, and equal to the NumPy computation.

(The CSR kernels are compared with the array calls in ``test_sparse_rows.py``.)

The compiled LSTM loop must give what ``LSTMCell.step_forward`` / ``step_backward``
and ``TimeLoop``'s per-step GEMMs give (the path CuPy and the other cells take);
the compiled matmul what ``numpy.matmul`` gives. Outputs and every gradient are
compared over ragged masks, reversed sequences, recurrent dropout, initial
states and state sizes that do and do not fill the kernels' vectors.
"""
import contextlib
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import nnkit
from nnkit.backend import get_backend
from nnkit.backend.base import Backend
from nnkit.backend.kernels import load_library, selected_path
from nnkit.backend.numpy_backend import KERNEL_NAMES, LOOP_PATHS

#: For tests of the compiled path itself; ``test_kernels_are_built_and_used_by_default``
#: fails where the kernels should have been built and were not.
needs_kernels = pytest.mark.skipif(load_library() is None, reason="compiled kernels not built "
                                   "or switched off (NNKIT_COMPILED=0)")
#: The compiled loops and matmul are used on the AVX-512 and AVX2 builds (the numpy backend).
needs_loops = pytest.mark.skipif(selected_path() not in LOOP_PATHS,
                                 reason="the compiled loops run on AVX-512 and AVX2 builds")

MASK = np.array([[1, 1, 1, 1, 0, 0, 0],
                 [0, 0, 1, 1, 1, 1, 1],
                 [1, 0, 1, 1, 0, 1, 0],
                 [1, 1, 1, 1, 1, 1, 1],
                 [0, 0, 0, 0, 0, 0, 0],   # all padding
                 [1, 0, 0, 0, 0, 0, 0]], bool)


@contextlib.contextmanager
def without_kernels(*names):
    """Switch the backend's kernels ``names`` off for the block: their ``xp`` paths run."""
    table = get_backend().kernel_table
    saved = {name: table[name] for name in names}
    table.update(dict.fromkeys(names))
    try:
        yield
    finally:
        table.update(saved)


def numpy_steps():
    """Run the recurrent layers as the NumPy backend does without the compiled kernels."""
    return without_kernels("lstm_loop", "gru_loop", "matmul")


def test_kernels_are_built_and_used_by_default():
    if os.environ.get("NNKIT_COMPILED") == "0":
        pytest.skip("compiled kernels switched off by NNKIT_COMPILED=0")
    backend = get_backend()
    assert load_library() is not None, "nnkit.backend.kernels.cpu_kernels_* were not built"
    assert set(backend.kernel_table) == set(KERNEL_NAMES)
    loops = {"matmul", "lstm_loop", "gru_loop", "attention", "attention_backward", "layer_norm",
             "layer_norm_backward", "bias_activation"}
    built = {name for name, kernel in backend.kernel_table.items() if kernel is not None}
    assert built == set(KERNEL_NAMES) - (set() if selected_path() in LOOP_PATHS else loops)
    if selected_path() not in LOOP_PATHS:
        return
    for dtype in ("float32", "float64"):
        assert nnkit.LSTM(3).make_cells()[0].compiled_loop(dtype) is backend.kernel("lstm_loop")
        assert nnkit.GRU(3).make_cells()[0].compiled_loop(dtype) is backend.kernel("gru_loop")
    assert nnkit.LSTM(3, activation="relu").make_cells()[0].compiled_loop("float32") is None
    assert nnkit.GRU(3, reset_after=False).make_cells()[0].compiled_loop("float32") is None


def test_the_backend_class_names_no_layer_or_optimizer():
    assert not {"lstm_loop", "gru_loop", "adadelta"} & set(vars(Backend))
    assert Backend(np).kernel("lstm_loop") is None and Backend(np).run_kernel("matmul") is None


def test_switched_off_by_environment_variable():
    code = ("import nnkit; b = nnkit.backend.get_backend(); "
            "print(sum(k is not None for k in b.kernel_table.values()), len(b.kernel_table))")
    env = {**os.environ, "NNKIT_COMPILED": "0"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env)
    assert out.stdout.split() == ["0", str(len(KERNEL_NAMES))]


def assert_product_close(actual, a, b, expected):
    """Within the forward-error bound of a dot product of length K: K·eps·(|a|·|b|)."""
    bound = a.shape[1] * np.finfo(a.dtype).eps * (np.abs(a) @ np.abs(b))
    assert actual.shape == expected.shape and actual.dtype == a.dtype
    assert np.all(np.abs(actual - expected) <= bound), np.abs(actual - expected).max()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("m, k, n", [(1, 1, 1), (7, 5, 3), (8, 128, 512), (37, 300, 70),
                                     (300, 33, 45), (5, 600, 16), (0, 4, 3), (3, 0, 4)])
def test_matmul_matches_numpy(dtype, m, k, n):
    rng = np.random.default_rng(m * 1000 + k * 10 + n)
    a, b = rng.normal(size=(m, k)).astype(dtype), rng.normal(size=(k, n)).astype(dtype)
    matmul = get_backend().matmul
    assert_product_close(matmul(a, b), a, b, a @ b)
    # transposed views as operands, into a given output
    at, bt = np.ascontiguousarray(a.T).T, np.ascontiguousarray(b.T).T
    out = np.full((m, n), np.nan, dtype)
    assert matmul(at, bt, out=out) is out
    assert_product_close(out, a, b, a @ b)


@needs_loops
def test_matmul_falls_back_for_other_dtypes_and_checks_out():
    matmul = get_backend().matmul
    a, b = np.arange(6).reshape(2, 3), np.arange(12).reshape(3, 4)
    assert get_backend().kernel("matmul")(a, b) is None        # not taken: numpy.matmul runs
    np.testing.assert_array_equal(matmul(a, b), a @ b)
    with pytest.raises(ValueError, match=r"out has shape \(2, 5\), expected \(2, 4\)"):
        matmul(a.astype(np.float32), b.astype(np.float32), out=np.empty((2, 5), np.float32))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
def test_row_updates_match_fancy_indexing(dtype):
    backend = get_backend()
    rng = np.random.default_rng(7)
    start = rng.normal(size=(50, 3, 4)).astype(dtype)
    rows = np.array([49, 0, 17, 3], np.int32)       # int32, unsorted: converted, order kept
    delta = rng.normal(size=(4, 3, 4)).astype(dtype)
    target, expected = start.copy(), start.copy()
    backend.add_to_rows(target, rows, delta)
    expected[rows] += delta
    np.testing.assert_array_equal(target, expected)
    backend.zero_rows(target, rows[:2])
    expected[rows[:2]] = 0
    np.testing.assert_array_equal(target, expected)


def test_row_updates_take_views_and_refuse_rows_outside():
    backend = get_backend()
    base = np.arange(40.0).reshape(10, 4)
    view = base[:, ::2]                                # strided: the NumPy way
    backend.add_to_rows(view, np.array([1, 2]), np.ones((2, 2)))
    backend.zero_rows(view, np.array([0]))
    assert view[:3].tolist() == [[0, 0], [5, 7], [9, 11]] and base[0].tolist() == [0, 1, 0, 3]
    if load_library() is None:
        pytest.skip("compiled kernels not built or switched off")
    target = np.zeros((10, 4))
    for call in (lambda: backend.add_to_rows(target, np.array([2, 10]), np.ones((2, 4))),
                 lambda: backend.zero_rows(target + 1, np.array([-1]))):
        with pytest.raises(IndexError, match="row index is outside"):
            call()
    assert not target.any()                            # refused before anything was written


@needs_kernels
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_scatter_add_rows_sums_repeats_and_reports_sorted_rows(dtype):
    backend = get_backend()
    rng = np.random.default_rng(8)
    index = np.array([5, 0, 5, 9, 0, 5, 2], np.int64)
    values = rng.normal(size=(7, 3, 2)).astype(dtype)
    target = rng.normal(size=(10, 3, 2)).astype(dtype)
    expected = target.copy()
    np.add.at(expected, index, values)
    rows = backend.scatter_add_rows(target, index, values)
    assert rows.tolist() == [0, 2, 5, 9]
    np.testing.assert_allclose(target, expected, rtol=1e-6 if dtype == "float32" else 1e-14)
    untouched = np.array([1, 3, 4, 6, 7, 8])
    before = target[untouched].copy()
    with pytest.raises(IndexError, match="outside"):
        backend.scatter_add_rows(target, np.array([1, 10]), values[:2])
    np.testing.assert_array_equal(target[untouched], before)  # refused before any write


@needs_kernels
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("rows", [12, 3000])                 # one thread; both threads
def test_add_run_sums_match_the_array_calls(dtype, rows):
    rng = np.random.default_rng(10)
    values = rng.normal(size=(rows, 3, 8)).astype(dtype)
    cuts = np.sort(rng.choice(np.arange(1, rows), size=rows // 3, replace=False))
    starts, ends = cuts[:-1:2], cuts[1::2]            # every other stretch between two cuts
    lengths = ends - starts[:ends.size]
    starts = starts[:lengths.size]
    targets = rng.permutation(lengths.size + 5)[:lengths.size]
    start = rng.normal(size=(lengths.size + 5, 3, 8)).astype(dtype)
    compiled, reference = start.copy(), start.copy()
    get_backend().add_run_sums(compiled, targets, values, starts, lengths)
    with without_kernels("add_run_sums"):
        get_backend().add_run_sums(reference, targets, values, starts, lengths)
    expected = start.copy()
    for target, s, length in zip(targets, starts, lengths):
        expected[target] += values[s:s + length].sum(axis=0)
    tolerance = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(compiled, expected, rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(reference, expected, rtol=tolerance, atol=tolerance)
    with pytest.raises(IndexError, match="outside"):
        get_backend().add_run_sums(compiled, targets[:1], values, np.array([rows - 1]),
                                   np.array([2]))


@needs_kernels
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("learning_rate, sparse", [(1.0, False), (0.3, False), (1.0, True)])
def test_compiled_adadelta_has_the_numpy_rules_bits(monkeypatch, dtype, learning_rate, sparse):
    """The fused step against the optimizer's NumPy rule (the backend's kernel switched off),
    dense and row-sparse (owed decays, settled mid-way in one run, at the end in the other),
    large enough (V·E ≥ 65536) for both threads."""
    rng = np.random.default_rng(9)
    start = rng.normal(size=(1000, 80)).astype(dtype)
    steps = []
    for _ in range(4):
        rows = np.unique(rng.integers(0, 1000, 150))
        grad = np.zeros_like(start)
        grad[rows] = rng.normal(size=(rows.size, 80))
        steps.append((grad, rows))
    backend, results = get_backend(), []
    for way in ("fused", "fused, read mid-way", "numpy rule"):
        if way == "numpy rule":
            monkeypatch.setitem(backend.kernel_table, "adadelta", None)
        optimizer = nnkit.optimizers.Adadelta(learning_rate, rho=0.9, epsilon=1e-4)
        param = start.copy()
        for step, (grad, rows) in enumerate(steps):
            optimizer.apply_gradients({"e": param}, {"e": grad.copy()},
                                      {"e": rows} if sparse else None)
            if step == 1 and way == "fused, read mid-way":
                optimizer.get_state()
        results.append([param] + list(optimizer.slots["e"].values()))
    for fused, mid_way, rule in zip(*results):
        np.testing.assert_array_equal(fused, rule)
        np.testing.assert_array_equal(mid_way, rule)
    assert not np.array_equal(results[0][0], start)


def run_layer(layer, x, mask, initial, dys, seed):
    """Forward in training mode and backward; return outputs, dx and every gradient."""
    nnkit.set_seed(seed)                  # the same dropout masks on both paths
    for grad in layer.grads.values():
        grad[...] = 0
    outputs = layer(x, training=True, mask=mask, initial_state=initial)
    dx = layer.backward(dys)
    return [np.array(o) for o in outputs] + [np.array(dx)] + [
        np.array(g) for g in layer.grads.values()]


@needs_loops
@pytest.mark.parametrize("layer_class", [nnkit.LSTM, nnkit.GRU])
@pytest.mark.parametrize("units", [3, 16, 21, 40])
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("recurrent_dropout", [0.0, 0.4])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_compiled_loop_matches_numpy_steps(layer_class, units, go_backwards, recurrent_dropout,
                                           dtype):
    nnkit.set_floatx(dtype)
    rng = np.random.default_rng(units)
    n, t, d = MASK.shape[0], MASK.shape[1], 5
    x = rng.normal(size=(n, t, d)).astype(dtype)
    layer = layer_class(units, return_sequences=True, return_state=True,
                        go_backwards=go_backwards, dropout=0.2,
                        recurrent_dropout=recurrent_dropout)
    layer(x, mask=MASK)
    states = [name for _, name, _ in layer.state_slots]        # LSTM: h, c; GRU: h
    initial = [rng.normal(size=(n, units)).astype(dtype) for _ in states]
    layer.set_weights([rng.normal(scale=0.4, size=w.shape) for w in layer.get_weights()])
    dys = [rng.normal(size=(n, t, units)).astype(dtype)] + [
        rng.normal(size=(n, units)).astype(dtype) for _ in states]
    assert layer.cells[0].compiled_loop(dtype) is not None
    compiled = run_layer(layer, x, MASK, initial, dys, seed=7)
    with numpy_steps():
        assert layer.cells[0].compiled_loop(dtype) is None
        stepped = run_layer(layer, x, MASK, initial, dys, seed=7)
    names = ["y", *states, "dx", *layer.grads]
    tol = 1e-12 if dtype == "float64" else 2e-5
    for name, ours, reference in zip(names, compiled, stepped):
        scale = max(1.0, float(np.abs(reference).max()))
        np.testing.assert_allclose(ours, reference, rtol=0, atol=tol * scale, err_msg=name)


def test_float32_loop_is_as_accurate_as_numpy_float32():
    """The float kernel's own tanh: float32 outputs stay within float32 rounding of float64."""
    rng = np.random.default_rng(5)
    x64 = rng.normal(scale=3.0, size=(8, 30, 12))       # large inputs: saturated gates too
    weights = None
    results = {}
    for dtype in ("float64", "float32"):
        nnkit.set_floatx(dtype)
        layer = nnkit.LSTM(32, return_sequences=True)
        layer(x64.astype(dtype))
        if weights is None:
            weights = [rng.normal(scale=0.5, size=w.shape) for w in layer.get_weights()]
        layer.set_weights(weights)
        results[dtype] = np.array(layer(x64.astype(dtype)), np.float64)
    error = np.abs(results["float32"] - results["float64"]).max()
    assert error < 5e-6, error


def test_results_depend_on_the_thread_count_only_where_promised():
    """Where the compiled loops and products run, 1 or 2 threads give the same bits (they split
    rows, never a sum); where NumPy's BLAS computes the products (the baseline build,
    ``NNKIT_COMPILED=0``) the same to rounding, since OpenBLAS splits its work by thread
    count. One thread count, run twice: the same bits on every path (README, "Threads")."""
    code = """
import json, numpy as np, nnkit
nnkit.set_seed(0)
rng = np.random.default_rng(0)
x = rng.integers(1, 50, size=(24, 30)); x[np.arange(24) % 3 == 0, 20:] = 0
y = rng.integers(0, 2, size=24)
model = nnkit.Sequential([nnkit.Embedding(50, 8, mask_zero=True),
                          nnkit.LSTM(24, return_sequences=True, recurrent_dropout=0.2),
                          nnkit.GRU(20, return_sequences=True, recurrent_dropout=0.2),
                          nnkit.GlobalAveragePooling1D(), nnkit.Dense(2, activation="softmax")])
model.compile("adadelta", "sparse_categorical_crossentropy")
history = model.fit(x, y, batch_size=12, epochs=2, verbose=0)
print(json.dumps([history.history["loss"], model.predict(x).tolist()]))
"""
    outputs = []
    for threads in ("1", "2", "2"):
        env = {**os.environ, "OMP_NUM_THREADS": threads}
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True, env=env)
        outputs.append(json.loads(run.stdout))
    assert outputs[1] == outputs[2]
    if selected_path() in LOOP_PATHS:
        assert outputs[0] == outputs[1]
    else:                                                # float32: to rounding
        for one, two in zip(outputs[0], outputs[1]):
            np.testing.assert_allclose(one, two, rtol=1e-5, atol=1e-7)
