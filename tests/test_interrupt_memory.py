"""Ctrl-C stops fit cleanly; training does not leak; predict streams in batches."""
import gc
import json
import os
import signal
import subprocess
import sys
import textwrap
import tracemalloc

import numpy as np

import nnkit

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CHILD = textwrap.dedent('''
    import json, sys, time
    import numpy as np
    import nnkit
    nnkit.set_seed(0)
    x = np.random.default_rng(0).normal(size=(400, 6))
    y = (x[:, 0] > 0).astype(int)
    model = nnkit.Sequential([nnkit.Dense(8, activation="tanh", input_shape=(6,)),
                              nnkit.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    batches = []

    class Slow(nnkit.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            batches.append(batch)
            print("batch", flush=True)
            time.sleep(0.02)

    history = model.fit(x, y, batch_size=10, epochs=50, verbose=0, callbacks=[Slow()])
    print(json.dumps({"batches": len(batches), "iterations": model.optimizer.iterations,
                      "epochs": len(history.history.get("loss", [])),
                      "finite": all(bool(np.isfinite(w).all()) for w in model.get_weights()),
                      "caches": [l._cache is None for l in model.layers],
                      "predict": model.predict(x[:3]).shape}), flush=True)
''')


def test_sigint_stops_after_current_batch_and_returns_history():
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
    seen = 0
    while seen < 55:                                   # mid-way through epoch 2 (40 batches/epoch)
        assert child.stdout.readline() == "batch\n"
        seen += 1
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    result = json.loads(out.strip().splitlines()[-1])
    assert "interrupted" in err
    assert 55 <= result["batches"] <= 57              # stopped after the batch in progress
    assert result["iterations"] == result["batches"]  # every finished batch applied, no half step
    assert result["epochs"] == 2                      # the interrupted epoch is logged too
    assert result["finite"] and all(result["caches"]) and result["predict"] == [3, 2]


def _text_data(n=96, t=12):
    rng = np.random.default_rng(1)
    x = rng.integers(1, 50, size=(n, t))
    x[rng.random(x.shape) < 0.3] = 0
    return x, (x[:, 0] > 25).astype(int)


def test_twenty_epochs_do_not_grow_memory():
    x, y = _text_data()
    head = nnkit.LSTM(8) if hasattr(nnkit, "LSTM") else nnkit.GlobalAveragePooling1D()
    model = nnkit.Sequential([nnkit.Embedding(50, 8, mask_zero=True, input_shape=(12,)), head,
                              nnkit.Dropout(0.2), nnkit.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, batch_size=16, epochs=2, verbose=0)          # warm up: slots, buffers
    gc.collect()
    tracemalloc.start()
    try:
        model.fit(x, y, batch_size=16, epochs=2, verbose=0)
        gc.collect()
        after_2 = tracemalloc.get_traced_memory()[0]
        model.fit(x, y, batch_size=16, epochs=20, verbose=0)
        gc.collect()
        after_20 = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert after_20 - after_2 < 64 * 1024, (after_2, after_20)
    assert all(layer._cache is None for layer in model.layers)
    assert not hasattr(model, "_batch")              # no per-batch state on the model


def _predict_peak(model, n):
    x = np.random.default_rng(0).normal(size=(n, 32)).astype("float32")
    gc.collect()
    tracemalloc.start()
    try:
        out = model.predict(x, batch_size=64, verbose=0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak - 2 * out.nbytes                       # the outputs, listed then concatenated


def test_predict_memory_does_not_grow_with_n_beyond_the_output():
    model = nnkit.Sequential([nnkit.Dense(64, activation="relu", input_shape=(32,)),
                              nnkit.Dense(2, activation="softmax")])
    small, large = _predict_peak(model, 2_000), _predict_peak(model, 100_000)
    input_bytes = 100_000 * 32 * 4
    assert large - small < 0.05 * input_bytes, (small, large)
