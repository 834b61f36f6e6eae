"""The LXMLS MLP lab on the real Amazon books data, through nnkit's public API.

LXMLS (deep-learning day, ``NumpyMLP``/``SGD_train``) trains
13,989 → Dense(20, sigmoid) → Dense(2, softmax) with plain SGD, lr 0.01, batches
of 5, 5 epochs, mean cross-entropy per batch, and reports about 0.78 test accuracy.

One run's accuracy depends on the seed (over seeds 0..19 with nnkit's defaults,
glorot_uniform and shuffling, test accuracy ranged 0.74–0.825, mean 0.797), so
the property checked is the mean over five fixed seeds, not one lucky seed.
Dense and CSR inputs must give the same training, seed for seed.
"""
import functools
import math

import numpy as np
import pytest

import nnkit

SEEDS = (0, 1, 2, 3, 4)
TARGET = 0.78                   # LXMLS's reported test accuracy


@functools.lru_cache(maxsize=None)
def _load(root, sparse):
    amazon_reviews = pytest.importorskip("nnkit.datasets.amazon_reviews")
    return amazon_reviews.load_data("books", path=root, min_count=5, sparse=sparse)


@pytest.fixture
def books(data_dir):
    root = data_dir / "amazon_multidomain" / "processed_acl"
    if not (root / "books" / "positive.review").is_file():
        pytest.skip(f"Amazon books reviews not found under {root}")
    pytest.importorskip("scipy.sparse")
    return lambda sparse: _load(str(root), sparse)


def _train(data, seed, lxmls_init=False, shuffle=True):
    (x_train, y_train), (x_test, y_test), _ = data
    features = x_train.shape[1]
    nnkit.set_seed(seed)
    if lxmls_init:                  # LXMLS: 4 × the Glorot limit for sigmoid and softmax layers
        first = ("uniform", {"scale": 4 * math.sqrt(6.0 / (features + 20))})
        second = ("uniform", {"scale": 4 * math.sqrt(6.0 / (20 + 2))})
    else:
        first = second = "glorot_uniform"
    model = nnkit.Sequential([
        nnkit.Dense(20, activation="sigmoid", input_shape=(features,), kernel_initializer=first),
        nnkit.Dense(2, activation="softmax", kernel_initializer=second),
    ])
    model.compile(nnkit.optimizers.SGD(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=5, epochs=5, shuffle=shuffle, verbose=0)
    return model.evaluate(x_test, y_test, return_dict=True)["accuracy"], history.history["loss"]


def test_data_matches_the_lxmls_corpus(books):
    (x_train, y_train), (x_test, y_test), names = books(True)
    assert x_train.shape == (1600, 13989) and x_test.shape == (400, 13989)
    assert len(names) == 13989
    assert y_train.mean() == 0.5 and y_test.mean() == 0.5


@pytest.fixture(scope="module")
def sparse_results():
    return {}


def test_sparse_input_reaches_the_lxmls_accuracy(books, sparse_results):
    data = books(True)
    assert type(data[0][0]).__name__.startswith("csr")
    results = [_train(data, seed) for seed in SEEDS]
    sparse_results.update(zip(SEEDS, results))
    accuracies = [accuracy for accuracy, _ in results]
    assert np.mean(accuracies) >= TARGET, f"test accuracy per seed: {accuracies}"
    assert min(accuracies) >= 0.70, f"test accuracy per seed: {accuracies}"
    for _, losses in results:                      # training does its job (smoke)
        assert losses[-1] < losses[0]


def test_dense_input_trains_exactly_like_sparse(books, sparse_results):
    """Dense input gives the sparse run's loss trace and accuracy, seed for seed.

    One seed only: the dense path costs more (about 1.3 s a run on an idle machine, but
    OpenBLAS threads thrash on a busy one: 10x slower); the accuracy target itself is
    checked over five seeds on the sparse path above.
    """
    data = books(False)
    assert isinstance(data[0][0], np.ndarray)
    for seed in SEEDS[:1]:
        accuracy, losses = _train(data, seed)
        if seed not in sparse_results:
            sparse_results[seed] = _train(books(True), seed)
        sparse_accuracy, sparse_losses = sparse_results[seed]
        # same seed, same shuffles and weights: only float32 summation order differs
        np.testing.assert_allclose(losses, sparse_losses, rtol=1e-4)
        assert abs(accuracy - sparse_accuracy) <= 0.005
        assert accuracy >= 0.75, f"seed {seed}: dense test accuracy {accuracy}"


def test_lxmls_initialisation_without_shuffling(books):
    """LXMLS's own set-up (4× Glorot init, examples in file order) also reaches 0.78 on average."""
    data = books(True)
    accuracies = [_train(data, seed, lxmls_init=True, shuffle=False)[0] for seed in SEEDS]
    assert np.mean(accuracies) >= TARGET, f"test accuracy per seed: {accuracies}"
