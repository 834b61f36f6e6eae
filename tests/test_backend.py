"""The backend switch, and agreement of CuPy with the NumPy reference (GPU only)."""
import os
import platform
import subprocess
import sys

import numpy as np
import pytest

import nnkit
from nnkit.backend import get_backend, set_backend


def test_numpy_is_the_default_and_has_xp():
    backend = get_backend()
    assert backend.name == "numpy"
    assert backend.xp is np


def test_unknown_backend_is_a_clear_error():
    with pytest.raises(nnkit.InvalidArgumentError, match="unknown backend 'tensorflow'"):
        set_backend("tensorflow")


def test_a_backend_is_one_registry_entry(monkeypatch):
    import nnkit.backend as backend_module
    monkeypatch.setitem(backend_module.BACKENDS, "reference",
                        "nnkit.backend.numpy_backend:NumpyBackend")
    monkeypatch.setattr(backend_module, "_current", get_backend())   # restored afterwards
    assert set_backend("reference").name == "numpy"


def test_cupy_without_cupy_or_device_raises_backend_error():
    try:
        import cupy  # noqa: F401
        has_cupy = True
    except ImportError:
        has_cupy = False
    if has_cupy:
        pytest.skip("CuPy is installed; the missing-CuPy error cannot be observed")
    with pytest.raises(nnkit.BackendError, match="pip install nnkit\\[gpu\\]"):
        set_backend("cupy")


def test_environment_variable_picks_the_backend(monkeypatch):
    import nnkit.backend as backend_module
    monkeypatch.setenv("NNKIT_BACKEND", "numpy")
    monkeypatch.setattr(backend_module, "_current", None)
    assert get_backend().name == "numpy"
    monkeypatch.setenv("NNKIT_BACKEND", "nope")
    monkeypatch.setattr(backend_module, "_current", None)
    with pytest.raises(nnkit.InvalidArgumentError):
        get_backend()
    monkeypatch.setattr(backend_module, "_current", None)


def _train_trace(x, y):
    nnkit.set_seed(3)
    model = nnkit.Sequential([nnkit.Embedding(50, 8, mask_zero=True), nnkit.LSTM(8),
                              nnkit.Dense(2, activation="softmax")])
    model.compile("adadelta", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
    return history.history["loss"], model.predict(x)


@pytest.mark.parametrize("setting, at_start, when_called", [
    ({}, None, True), ({"NNKIT_KEEP_FREED_MEMORY": "1"}, True, True),
    ({"NNKIT_KEEP_FREED_MEMORY": "0"}, None, False),
    ({"NNKIT_KEEP_FREED_MEMORY": "1", "MALLOC_TRIM_THRESHOLD_": "1000000"}, False, False)],
    ids=["default", "asked_by_variable", "opted_out", "user_tunes_malloc"])
def test_keeping_freed_memory_is_opt_in(setting, at_start, when_called):
    """glibc's mmap/trim thresholds stay as they are when the NumPy backend starts unless
    NNKIT_KEEP_FREED_MEMORY=1 asks; ``keep_freed_memory()`` raises them (fresh process)."""
    env = {name: value for name, value in os.environ.items()
           if name != "NNKIT_KEEP_FREED_MEMORY" and not name.startswith("MALLOC_")}
    env.update(setting)
    code = ("from nnkit.backend import get_backend, host_memory, keep_freed_memory; "
            "get_backend(); print(host_memory._applied, keep_freed_memory())")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          check=True)
    glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    expected = [str(at_start if at_start is None else at_start and glibc),
                str(when_called and glibc)]
    assert done.stdout.split() == expected


def test_cupy_training_matches_numpy(backend_name):
    """Same seed, same data: the CuPy loss trace and predictions equal NumPy's (float32 tolerance)."""
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 12, size=32)
    x = np.zeros((32, 12), dtype="int32")
    for row, length in enumerate(lengths):
        x[row, :length] = rng.integers(1, 50, size=length)
    y = rng.integers(0, 2, size=32)
    set_backend("numpy")
    reference_loss, reference_prediction = _train_trace(x, y)
    set_backend(backend_name)
    loss, prediction = _train_trace(x, y)
    assert isinstance(prediction, np.ndarray)
    np.testing.assert_allclose(loss, reference_loss, rtol=1e-4)
    np.testing.assert_allclose(prediction, reference_prediction, atol=1e-4)
