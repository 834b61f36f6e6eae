"""The performance paths give the same numbers as the plain rules they replace.

(No timings here: benchmarks/ measures speed.)
"""
import subprocess
import sys

import numpy as np
import pytest

import nnkit
from nnkit import optimizers
from nnkit.backend import get_backend


def test_scatter_add_rows_sums_repeated_indices(backend_name):
    backend = get_backend()
    rng = np.random.default_rng(1)
    index = rng.integers(0, 7, 40)
    values = rng.standard_normal((40, 3))
    expected = np.ones((7, 3))
    np.add.at(expected, index, values)
    target = backend.asarray(np.ones((7, 3)))
    backend.scatter_add_rows(target, backend.asarray(index), backend.asarray(values))
    np.testing.assert_allclose(backend.to_numpy(target), expected, rtol=1e-12)
    backend.scatter_add_rows(target, backend.asarray(index[:0]), backend.asarray(values[:0]))
    np.testing.assert_allclose(backend.to_numpy(target), expected, rtol=1e-12)


@pytest.mark.parametrize("longest", [1, 2, 5, 64, 300])
def test_segment_sums_match_reduceat(backend_name, longest):
    """Runs of one row, odd and power-of-two lengths, one run much longer than the rest."""
    backend = get_backend()
    rng = np.random.default_rng(longest)
    lengths = np.concatenate([rng.integers(1, longest + 1, 50), [longest, 1]])
    values = rng.standard_normal((int(lengths.sum()), 4))
    expected = np.add.reduceat(values, np.cumsum(lengths) - lengths, axis=0)
    sums = backend.segment_sums(backend.asarray(values), backend.asarray(lengths))
    np.testing.assert_allclose(backend.to_numpy(sums), expected, rtol=1e-12, atol=1e-12)


def test_scatter_add_rows_with_many_long_runs(backend_name):
    """Zipf-like ids (one id in a third of the rows, e.g. padding) as in a real batch."""
    backend = get_backend()
    rng = np.random.default_rng(3)
    index = np.minimum(rng.zipf(1.3, 600), 99)
    values = rng.standard_normal((600, 5))
    expected = np.zeros((100, 5))
    np.add.at(expected, index, values)
    target = backend.asarray(np.zeros((100, 5)))
    rows = backend.scatter_add_rows(target, backend.asarray(index), backend.asarray(values))
    np.testing.assert_allclose(backend.to_numpy(target), expected, rtol=1e-12, atol=1e-12)
    if rows is not None:
        assert backend.to_numpy(rows).tolist() == sorted(set(index.tolist()))


def test_embedding_gradient_with_repeated_ids(float64):
    layer = nnkit.Embedding(5, 3)
    ids = np.array([[1, 1, 4, 0], [4, 1, 0, 0]])
    layer(ids, training=True)
    dy = np.random.default_rng(2).standard_normal((2, 4, 3))
    layer.backward(dy)
    expected = np.zeros((5, 3))
    np.add.at(expected, ids.ravel(), dy.reshape(-1, 3))
    np.testing.assert_allclose(layer.grads["embeddings"], expected, rtol=1e-12)


def test_import_stays_light():
    """``import nnkit`` loads none of the heavy optional modules (start-up time)."""
    code = ("import sys, nnkit; heavy = [m for m in ('scipy', 'h5py', 'tqdm', 'cupy', 'torch') "
            "if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_predict_sorted_by_length_returns_rows_in_input_order():
    model = nnkit.Sequential([nnkit.Embedding(20, 4, mask_zero=True),
                              nnkit.LSTM(3, return_sequences=True),
                              nnkit.GlobalAveragePooling1D(), nnkit.Dense(2, activation="softmax")])
    rng = np.random.default_rng(3)
    lengths = rng.integers(1, 9, 11)
    ids = rng.integers(1, 20, (11, 8))
    ids[np.arange(8)[None, :] >= lengths[:, None]] = 0
    expected = np.concatenate([model(ids[i:i + 1]) for i in range(11)])
    np.testing.assert_allclose(model.predict(ids, batch_size=4), expected, rtol=1e-5, atol=1e-6)
