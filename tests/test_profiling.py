"""The profiler (``fit(profile=True)``, ``with nnkit.profile()``): what it reports and what it costs.

The rows name layers by name and count calls per batch; a nested section's time is its
own, not its parent's; the table and CSV hold the same rows; nothing is kept when no
profile runs.
"""
import csv
import time

import numpy as np
import pytest

import nnkit
from nnkit import profiling


def imdb_like_model():
    model = nnkit.Sequential([nnkit.Embedding(50, 8, mask_zero=True, name="embed"),
                              nnkit.LSTM(6, return_sequences=True, name="lstm"),
                              nnkit.GlobalAveragePooling1D(name="mean"),
                              nnkit.Dense(2, activation="softmax", name="out")])
    model.compile(nnkit.optimizers.Adadelta(1.0), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def data(n=40, t=12, seed=0):
    rng = np.random.default_rng(seed)
    ids = rng.integers(1, 50, size=(n, t))
    lengths = rng.integers(2, t + 1, size=n)
    ids[np.arange(t)[None, :] >= lengths[:, None]] = 0
    return ids, rng.integers(0, 2, size=n)


def test_fit_profile_reports_every_part_per_batch_and_writes_csv(tmp_path, capsys):
    nnkit.set_seed(0)
    model = imdb_like_model()
    x, y = data()
    path = tmp_path / "profile.csv"
    model.fit(x, y, batch_size=8, verbose=0)       # built: no one-example probe below
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0, profile=str(path))
    printed = capsys.readouterr().out
    profile = history.profile
    rows = {(kind, name): (seconds, share, calls)
            for kind, name, seconds, share, calls in profile.rows()}
    batches = 2 * 5
    for layer in ("embed", "lstm", "mean", "out"):
        assert rows[("forward", layer)][2] == batches
        assert rows[("backward", layer)][2] == batches
    for part in ("packing", "input projection", "loop", "outputs"):
        assert rows[("forward", f"lstm · {part}")][2] == batches
    for part in ("loop", "weight gradients", "input gradient", "output gradients"):
        assert rows[("backward", f"lstm · {part}")][2] == batches
    assert rows[("optimizer", "Adadelta")][2] == batches
    assert rows[("batching", "fit batches")][2] == batches
    assert rows[("metrics", "loss and metrics")][2] == batches
    assert rows[("data conversion", "fit inputs")][2] == 1
    # on_train_begin/end, 2 × on_epoch_begin/end, 10 × on_train_batch_begin/end and on_gradients
    assert rows[("callbacks", "History")][2] == 2 + 4 + 3 * batches
    seconds = [r[0] for r in rows.values()]
    assert min(seconds) >= 0 and sum(seconds) == pytest.approx(profile.wall, rel=1e-6)
    assert sum(r[1] for r in rows.values()) == pytest.approx(1.0, rel=1e-6)
    ordered = [r[2] for r in profile.rows()]
    assert ordered == sorted(ordered, reverse=True)
    # the table is printed once, longest first, and the CSV holds the same rows
    assert printed.count("wall time") == 1 and "forward          lstm · loop" in printed
    with open(path, newline="") as handle:
        written = list(csv.reader(handle))
    assert written[0] == ["what", "name", "seconds", "share", "calls"]
    assert [(w[0], w[1], int(w[4])) for w in written[1:]] == \
        [(kind, name, calls) for kind, name, _, _, calls in profile.rows()]
    assert profiling._active is None


def test_profile_block_covers_predict_and_is_silent_when_asked():
    nnkit.set_seed(0)
    model = imdb_like_model()
    x, y = data()
    with nnkit.profile(print_fn=None) as profile:
        model.predict(x, batch_size=16, verbose=0)
    kinds = {kind for kind, *_ in profile.rows()}
    assert kinds == {"forward", "batching", "data conversion", "other"}
    calls = {(kind, name): c for kind, name, _, _, c in profile.rows()}
    assert calls[("forward", "lstm")] == 3          # 40 rows in batches of 16
    assert model.fit(x, y, verbose=0).profile is None


def test_nested_sections_count_their_own_time_only():
    with nnkit.profile(print_fn=None) as profile:
        with profiling.section("forward", "outer"):
            time.sleep(0.02)
            with profiling.section(None, "inner"):
                time.sleep(0.2)
    seconds = {(kind, name): s for kind, name, s, _, _ in profile.rows()}
    assert seconds[("forward", "outer · inner")] >= 0.2
    assert 0.02 <= seconds[("forward", "outer")] < 0.15


def test_profiles_do_not_nest_and_an_error_ends_the_profile():
    with nnkit.profile(print_fn=None):
        with pytest.raises(nnkit.InvalidArgumentError, match="already running"):
            with nnkit.profile(print_fn=None):
                pass
    printed = []
    with pytest.raises(ZeroDivisionError):
        with nnkit.profile(print_fn=printed.append):
            1 / 0
    assert printed == [] and profiling._active is None


def test_without_a_profile_sections_do_nothing():
    assert profiling.section("forward", "x") is profiling.section("backward", "y")
    with profiling.section("forward", "x"):
        pass
    assert profiling._active is None
