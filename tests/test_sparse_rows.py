"""CSR input and row-sparse gradients give exactly what the dense paths give.

``CSRMatrix`` gathers batches and computes ``X·W`` and ``Xᵀ·dZ`` itself, on the
host through the backend's compiled kernels where built (``csr_take_rows``,
``csr_matmul``, ``csr_add_transposed_product``: ``compiled_csr``), else (and on
CuPy) with array calls; both ways are checked. Embedding and Dense-on-CSR report the gradient rows they touch, and zeroing
and the optimizers then work on those rows only. Each shortcut is compared
with the dense computation it replaces.
"""
import numpy as np
import pytest

import nnkit
from nnkit import optimizers
from nnkit.backend import csr, get_backend
from nnkit.backend.csr import CSRMatrix

scipy_sparse = pytest.importorskip("scipy.sparse")


def _random_csr(rows=12, cols=40, density=0.15, seed=0):
    return scipy_sparse.random(rows, cols, density=density, format="csr", random_state=seed,
                               dtype=np.float64)


def _as_scipy(matrix):
    return scipy_sparse.csr_matrix((matrix.data, matrix.indices, matrix.indptr),
                                   shape=matrix.shape)


CSR_KERNELS = ("csr_take_rows", "csr_matmul", "csr_add_transposed_product")


def _csr_kernel(name):
    """The backend's CSR kernel ``name``; skips the test where there is none."""
    kernel = get_backend().kernel(name)
    if kernel is None:
        pytest.skip("compiled kernels not built or switched off")
    return kernel


@pytest.fixture(params=["compiled", "array-calls"])
def csr_way(request, monkeypatch):
    """Run the test through the compiled CSR kernels, then through the array calls."""
    for name in CSR_KERNELS:
        if request.param == "compiled":
            _csr_kernel(name)
        else:
            monkeypatch.setitem(get_backend().kernel_table, name, None)
    return request.param


@pytest.mark.parametrize("budget", [csr.COMPACT_BUDGET, 7], ids=["one-block", "row-blocks"])
def test_csr_rows_and_products_match_scipy(monkeypatch, csr_way, budget):
    monkeypatch.setattr(csr, "COMPACT_BUDGET", budget)
    reference = _random_csr()
    matrix = CSRMatrix.from_matrix(reference)
    assert matrix.indices.dtype == matrix.indptr.dtype == np.int64  # SciPy's are int32
    rng = np.random.default_rng(1)
    for index in (np.array([3, 0, 11, 7, 7, -1]), slice(2, 9), slice(1, None, 3),
                  np.array([5]), slice(4, 4)):
        picked, expected = matrix[index], reference[index]
        assert _as_scipy(picked).toarray().tolist() == expected.toarray().tolist()
        if picked.shape[0] == 0:
            continue
        weights = rng.standard_normal((40, 3))
        np.testing.assert_allclose(picked @ weights, expected @ weights, rtol=1e-12, atol=1e-15)
        dz = rng.standard_normal((picked.shape[0], 3))
        target = np.ones((40, 3))
        changed = picked.add_transposed_product(target, dz)
        np.testing.assert_allclose(target, 1 + expected.T @ dz, rtol=1e-12)
        assert changed.tolist() == sorted(set(expected.indices.tolist()))


def test_csr_rows_refuse_a_bad_index(csr_way):
    matrix = CSRMatrix.from_matrix(_random_csr())
    with pytest.raises(nnkit.InvalidArgumentError, match="1-D integer index"):
        matrix[np.array([[0, 1]])]
    with pytest.raises(nnkit.InvalidArgumentError, match="1-D integer index"):
        matrix[np.array([0.5])]
    for index in ([0, 12], [-13, 1]):
        with pytest.raises(nnkit.InvalidArgumentError, match=r"in \[-12, 12\) for a matrix of "
                                                             r"12 rows"):
            matrix[np.array(index)]


def test_repeated_entries_are_summed(csr_way):
    # a non-canonical CSR: row 0 holds column 2 twice
    reference = scipy_sparse.csr_matrix((np.array([1.0, 2.0, 3.0, 4.0]), np.array([2, 2, 0, 1]),
                                         np.array([0, 3, 4])), shape=(2, 3))
    matrix = CSRMatrix.from_matrix(reference)
    weights = np.arange(6.0).reshape(3, 2)
    np.testing.assert_allclose(matrix[np.array([1, 0])] @ weights,
                               reference.toarray()[[1, 0]] @ weights, rtol=1e-15)
    target = np.zeros((3, 2))
    assert matrix.add_transposed_product(target, np.ones((2, 2))).tolist() == [0, 1, 2]
    np.testing.assert_allclose(target, reference.toarray().T @ np.ones((2, 2)), rtol=1e-15)


@pytest.mark.parametrize("indices, indptr", [([0, 5], [0, 1, 2]), ([0, 1], [0, 2, 1])],
                         ids=["column-outside", "decreasing-indptr"])
def test_compiled_kernels_refuse_a_malformed_matrix(indices, indptr):
    matrix = CSRMatrix(np.ones(2), np.array(indices), np.array(indptr), (2, 4))
    _csr_kernel("csr_matmul")
    target = np.zeros((4, 3))
    with pytest.raises(nnkit.InvalidArgumentError, match=r"malformed"):
        matrix @ np.ones((4, 3))
    with pytest.raises(nnkit.InvalidArgumentError, match=r"malformed"):
        matrix.add_transposed_product(target, np.ones((2, 3)))
    assert not target.any()  # refused before anything was written
    if indptr[2] < indptr[1]:
        with pytest.raises(nnkit.InvalidArgumentError, match=r"malformed"):
            matrix[np.array([1])]


def test_compiled_products_leave_other_operands_to_array_calls():
    matrix = CSRMatrix.from_matrix(_random_csr(4, 6, density=0.5).astype(np.float32))
    kernel = _csr_kernel("csr_matmul")
    dense = np.arange(12.0).reshape(6, 2)  # float64 for a float32 matrix, then a strided view
    for operand in (dense, np.ascontiguousarray(dense.T, np.float32).T):
        assert kernel(matrix, operand) is None
        np.testing.assert_allclose(matrix @ operand, matrix.compact()[1] @ operand[
            matrix.compact()[0]], rtol=1e-6)


def test_dense_refuses_non_numeric_sparse_input():
    complex_input = scipy_sparse.csr_matrix(np.array([[1j, 0.0], [0.0, 2.0]]))
    with pytest.raises(nnkit.DTypeError, match=r"layer 'dense.*expected numeric sparse input"):
        nnkit.Dense(2)(complex_input)


def _row_sparse_grads(rng, steps=5, rows=200, cols=6, touched=12):
    grads = []
    for _ in range(steps):
        picked = np.unique(rng.integers(0, rows, touched))
        grad = np.zeros((rows, cols))
        grad[picked] = rng.standard_normal((picked.size, cols))
        grads.append((grad, picked))
    return grads


@pytest.mark.parametrize("make", [
    lambda: optimizers.SGD(0.1), lambda: optimizers.SGD(0.1, momentum=0.9),
    lambda: optimizers.Adagrad(0.1), lambda: optimizers.Adadelta(1.0, rho=0.9, epsilon=1e-4),
    lambda: optimizers.Adadelta(0.3), lambda: optimizers.RMSprop(0.01),
    lambda: optimizers.Adam(0.01), lambda: optimizers.SGD(0.1, clipnorm=0.5)],
    ids=["sgd", "momentum", "adagrad", "adadelta", "adadelta-lr", "rmsprop", "adam", "clipnorm"])
def test_row_updates_equal_the_dense_rule(backend_name, make):
    backend = nnkit.backend.get_backend()
    grads = _row_sparse_grads(np.random.default_rng(0))
    start = np.random.default_rng(1).standard_normal((200, 6))
    results = []
    for with_rows in (True, False):
        optimizer, param = make(), backend.asarray(start.copy())
        for grad, rows in grads:
            hint = {"e": backend.asarray(rows)} if with_rows else None
            optimizer.apply_gradients({"e": param}, {"e": backend.asarray(grad.copy())}, hint)
        results.append([backend.to_numpy(param)] + [backend.to_numpy(slot) for slot in
                                                     optimizer.slots["e"].values()])
    for rows_result, dense_result in zip(*results):
        np.testing.assert_allclose(rows_result, dense_result, rtol=1e-12, atol=1e-15)


def test_embedding_reports_the_rows_it_touches(float64):
    layer = nnkit.Embedding(10, 3)
    rng = np.random.default_rng(2)
    seen = set()
    for ids in (np.array([[1, 1, 4], [4, 7, 0]]), np.array([[9, 1, 2]])):
        layer(ids, training=True)
        layer.backward(rng.standard_normal(ids.shape + (3,)))
        seen |= set(ids.ravel().tolist())
        rows = layer.grad_rows["embeddings"]
        assert rows.tolist() == sorted(seen)  # union over backward calls since zeroing
        outside = np.setdiff1d(np.arange(10), rows)
        assert not layer.grads["embeddings"][outside].any()
    layer.zero_grads()
    assert not layer.grads["embeddings"].any()
    assert layer.grad_rows["embeddings"].size == 0


def test_dense_drops_its_row_hint_after_a_dense_input(float64):
    layer = nnkit.Dense(2)
    sparse_x = _random_csr(4, 8, density=0.3)
    layer(sparse_x, training=True)
    layer.backward(np.ones((4, 2)))
    assert layer.grad_rows["kernel"].tolist() == sorted(set(sparse_x.indices.tolist()))
    layer(np.ones((4, 8)), training=True)  # every row of the kernel gradient now changes
    layer.backward(np.ones((4, 2)))
    assert "kernel" not in layer.grad_rows
    layer.zero_grads()
    assert not layer.grads["kernel"].any()
    assert layer.grad_rows["kernel"].size == 0


@pytest.mark.parametrize("optimizer", ["sgd", "adagrad", "adadelta", "rmsprop"])
def test_fit_on_csr_input_equals_fit_on_dense_input(float64, optimizer):
    x = _random_csr(60, 50, density=0.08, seed=3)
    y = np.random.default_rng(4).integers(0, 2, 60)
    traces, weights = [], []
    for inputs in (x, x.toarray()):
        nnkit.set_seed(5)
        model = nnkit.Sequential([nnkit.Dense(6, activation="sigmoid", input_shape=(50,)),
                                  nnkit.Dense(2, activation="softmax")])
        model.compile(optimizer, "sparse_categorical_crossentropy", metrics=["accuracy"])
        history = model.fit(inputs, y, batch_size=5, epochs=3, verbose=0)
        traces.append(history.history["loss"])
        weights.append(model.get_weights())
        np.testing.assert_allclose(model.predict(inputs, batch_size=7),
                                   model.predict(x.toarray()), rtol=1e-12)
    np.testing.assert_allclose(traces[0], traces[1], rtol=1e-12)
    for sparse_weight, dense_weight in zip(*weights):
        np.testing.assert_allclose(sparse_weight, dense_weight, rtol=1e-10, atol=1e-13)
