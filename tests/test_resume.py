"""Exact resume: a run killed mid-epoch and resumed gives the identical loss trace.

The training script below logs every batch's running loss and accuracy and
every epoch's logs with ``repr`` (exact floats). A BackupAndRestore callback
writes the resume state every 3 batches. The test runs it once uninterrupted,
once killed with SIGKILL in the middle of an epoch, and once more in a new
process that resumes from the checkpoint; the killed run's log up to the
checkpoint plus the resumed run's log must equal the uninterrupted log.
"""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import h5py
import numpy as np
import pytest

import nnkit
from nnkit.callbacks import BackupAndRestore, Callback, EarlyStopping

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SCRIPT = textwrap.dedent('''
    import json, sys, time
    import numpy as np
    import nnkit
    from nnkit.callbacks import BackupAndRestore, Callback, EarlyStopping, LearningRateScheduler

    checkpoint, log_path, sleep = sys.argv[1], sys.argv[2], float(sys.argv[3])
    nnkit.set_seed(5)
    rng = np.random.default_rng(0)
    x = rng.integers(1, 30, size=(120, 7))
    x[rng.random(x.shape) < 0.3] = 0                      # padding
    y = (x[:, 0] > 15).astype(int)
    from nnkit.preprocessing.text import Tokenizer
    tokenizer = Tokenizer()
    tokenizer.fit_on_texts(["a b c", "b c d"])
    model = nnkit.Sequential([nnkit.Embedding(30, 8, mask_zero=True, input_shape=(7,)),
                              nnkit.LSTM(6), nnkit.Dropout(0.3),
                              nnkit.Dense(2, activation="softmax")])
    model.compile(nnkit.optimizers.Adam(0.02), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.tokenizer = tokenizer
    log = open(log_path, "a")

    class Log(Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch
        def on_train_batch_end(self, batch, logs=None):
            log.write(f"B {self.epoch} {batch} {logs['loss']!r} {logs['accuracy']!r}\\n")
            log.flush()
            time.sleep(sleep)
        def on_epoch_end(self, epoch, logs=None):
            log.write(f"E {epoch} {json.dumps(logs, sort_keys=True)}\\n")
            log.flush()

    history = model.fit(x, y, batch_size=8, epochs=4, validation_split=0.2, verbose=0,
                        shuffle="bucket",
                        callbacks=[Log(), EarlyStopping(patience=10),
                                   LearningRateScheduler(lambda epoch, lr: lr * 0.9),
                                   BackupAndRestore(checkpoint, save_freq=3,
                                                   delete_checkpoint=False)])
    log.write(f"H {json.dumps(history.history, sort_keys=True)}\\n")
    log.close()
''')


def _start(tmp_path, name, sleep):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.Popen([sys.executable, str(script), str(tmp_path / f"{name}.h5"),
                             str(tmp_path / f"{name}.log"), str(sleep)], env=env,
                            stderr=subprocess.PIPE)


def _lines(path):
    return path.read_text().splitlines() if path.exists() else []


def _position(checkpoint):
    with h5py.File(checkpoint, "r") as file:
        state = json.loads(file["training_state"].attrs["state"])
    return state["epoch"], state["step"]


def test_sigkill_mid_epoch_then_resume_gives_identical_trace(tmp_path):
    full = _start(tmp_path, "full", 0.0)
    killed = _start(tmp_path, "run", 0.02)
    assert full.wait(120) == 0, full.stderr.read().decode()
    deadline = time.time() + 60
    while len(_lines(tmp_path / "run.log")) < 23 and time.time() < deadline:  # mid epoch 1
        time.sleep(0.005)
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait()
    epoch, step = _position(tmp_path / "run.h5")
    done = _lines(tmp_path / "run.log")
    assert not done[-1].startswith("H"), "the run finished before it was killed"
    assert step >= 0                                    # mid-epoch: usually step 8 of 0..11

    def before_checkpoint(line):
        kind, line_epoch, rest = line.split(" ", 2)
        if kind == "B":
            return (int(line_epoch), int(rest.split(" ")[0])) <= (epoch, step)
        return int(line_epoch) < epoch
    kept = [line for line in done if before_checkpoint(line)]

    os.rename(tmp_path / "run.log", tmp_path / "killed.log")
    resumed = _start(tmp_path, "run", 0.0)
    assert resumed.wait(120) == 0, resumed.stderr.read().decode()
    expected = _lines(tmp_path / "full.log")
    assert len(kept) < len(expected) - 10
    assert kept + _lines(tmp_path / "run.log") == expected      # per batch, per epoch, History
    with h5py.File(tmp_path / "run.h5", "r") as file:
        assert "tokenizer" in file


def _data():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(50, 4))
    return x, (x[:, 0] > 0).astype(int)


def _model():
    # the checkpoint's weights are matched by layer name: fixed names, as in a new process
    model = nnkit.Sequential([nnkit.Dense(6, activation="tanh", input_shape=(4,), name="d1"),
                              nnkit.Dropout(0.2, name="drop"),
                              nnkit.Dense(2, activation="softmax", name="d2")])
    model.compile(nnkit.optimizers.RMSprop(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


class Trace(Callback):
    def __init__(self, stop_at=None):
        super().__init__()
        self.losses, self.stop_at, self.count = [], stop_at, 0

    def on_train_batch_end(self, batch, logs=None):
        self.losses.append(logs["loss"])
        self.count += 1
        if self.count == self.stop_at:
            self.model.stop_training = True


@pytest.mark.parametrize("save_freq,stop_at", [(1, 9), (2, 14), ("epoch", 16)])
def test_in_process_resume_matches(tmp_path, save_freq, stop_at):
    x, y = _data()
    nnkit.set_seed(11)
    reference = Trace()
    expected = _model().fit(x, y, batch_size=7, epochs=3, verbose=0, callbacks=[
        reference, EarlyStopping("loss", patience=5)]).history
    nnkit.set_seed(11)
    first = Trace(stop_at=stop_at)
    path = tmp_path / "backup.h5"
    _model().fit(x, y, batch_size=7, epochs=3, verbose=0, callbacks=[
        first, EarlyStopping("loss", patience=5), BackupAndRestore(path, save_freq)])
    nnkit.set_seed(999)                                    # the checkpoint's state wins
    second = Trace()
    history = _model().fit(x, y, batch_size=7, epochs=3, verbose=0, resume_from=path,
                           callbacks=[second, EarlyStopping("loss", patience=5)]).history
    assert history == expected
    assert first.losses[:len(reference.losses) - len(second.losses)] + second.losses == \
        reference.losses


def test_resume_refuses_a_different_fit(tmp_path):
    x, y = _data()
    path = tmp_path / "backup.h5"
    _model().fit(x, y, batch_size=7, epochs=1, verbose=0,
                 callbacks=[BackupAndRestore(path, 2, delete_checkpoint=False)])
    with pytest.raises(nnkit.InvalidArgumentError, match="batch_size=7"):
        _model().fit(x, y, batch_size=5, epochs=2, verbose=0, resume_from=path)
    _model().save(tmp_path / "plain.h5")
    with pytest.raises(nnkit.CheckpointError, match="no training state"):
        _model().fit(x, y, batch_size=7, epochs=2, verbose=0, resume_from=tmp_path / "plain.h5")


def test_resume_into_a_model_with_other_layer_names(tmp_path):
    """Weights and optimizer slots are matched by layer position, like load_weights."""
    x, y = _data()
    path = tmp_path / "backup.h5"
    nnkit.set_seed(3)
    reference = Trace()
    _model().fit(x, y, batch_size=7, epochs=2, verbose=0, callbacks=[reference])
    nnkit.set_seed(3)
    _model().fit(x, y, batch_size=7, epochs=2, verbose=0,
                 callbacks=[Trace(stop_at=10), BackupAndRestore(path, 2)])
    renamed = nnkit.Sequential([nnkit.Dense(6, activation="tanh", input_shape=(4,)),
                                nnkit.Dropout(0.2), nnkit.Dense(2, activation="softmax")])
    renamed.compile("sgd", "sparse_categorical_crossentropy")  # optimizer: the checkpoint's
    second = Trace()
    renamed.fit(x, y, batch_size=7, epochs=2, verbose=0, resume_from=path, callbacks=[second])
    assert second.losses == reference.losses[10:]
