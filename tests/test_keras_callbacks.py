"""Keras 3's callbacks: every argument's rule, against Keras 3.15's documented behaviour."""
import csv
import logging

import numpy as np
import pytest

import nnkit
from nnkit import callbacks
from scripted_logs import ScriptedLogs


def _data(n=16):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 3))
    return x, (x[:, 0] > 0).astype(int)


def _model():
    model = nnkit.Sequential([nnkit.Dense(2, activation="softmax", input_shape=(3,))])
    model.compile(nnkit.optimizers.SGD(0.1), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _fit(scores, *extra, epochs=None, model=None, **fit_args):
    """Fit on scripted ``score`` values; returns (history, the Scripted callback)."""
    x, y = _data()
    script = ScriptedLogs("score", scores)
    history = (model or _model()).fit(x, y, batch_size=8, epochs=epochs or len(scores),
                                      verbose=0, callbacks=[script, *extra], **fit_args)
    return history, script


# ---- EarlyStopping ------------------------------------------------------------------------
def test_early_stopping_baseline_never_beaten_stops_after_patience_epochs():
    flat = [3.0] * 8
    stopper = callbacks.EarlyStopping("score", mode="min", patience=3, baseline=2.0)
    assert _fit(flat, stopper)[0].epoch == [0, 1, 2]        # the first epoch counts too
    free = callbacks.EarlyStopping("score", mode="min", patience=3)
    assert _fit(flat, free)[0].epoch == [0, 1, 2, 3]        # without: waiting starts after it


def test_early_stopping_baseline_beaten_resets_the_wait():
    stopper = callbacks.EarlyStopping("score", mode="min", patience=3, baseline=2.0)
    history, _ = _fit([3.0, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5], stopper)
    assert history.epoch == [0, 1, 2, 3, 4] and stopper.stopped_epoch == 4


def test_early_stopping_start_from_epoch_ignores_the_warm_up():
    worse = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert _fit(worse, callbacks.EarlyStopping("score", mode="min"))[0].epoch == [0, 1]
    late = callbacks.EarlyStopping("score", mode="min", start_from_epoch=3)
    assert _fit(worse, late)[0].epoch == [0, 1, 2, 3, 4]
    assert late.best == 4.0 and late.stopped_epoch == 4


def test_early_stopping_min_delta_and_max_mode():
    slow = callbacks.EarlyStopping("score", mode="min", min_delta=0.1, patience=2)
    assert _fit([5.0, 4.95, 4.9, 4.85, 4.8], slow)[0].epoch == [0, 1, 2]
    rising = callbacks.EarlyStopping("score", mode="max", patience=1)
    assert _fit([0.1, 0.2, 0.3, 0.25, 0.5], rising)[0].epoch == [0, 1, 2, 3]


def test_early_stopping_verbose_messages_and_restored_epoch(capsys):
    stopper = callbacks.EarlyStopping("score", mode="min", patience=2, verbose=1,
                                      restore_best_weights=True)
    model = _model()
    history, script = _fit([3.0, 1.0, 2.0, 2.5, 0.5], stopper, model=model)
    assert history.epoch == [0, 1, 2, 3]
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["Epoch 4: early stopping",
                     "Restoring model weights from the end of the best epoch: 2."]
    for restored, best in zip(model.get_weights(), script.weights[1]):
        np.testing.assert_array_equal(restored, best)


def test_early_stopping_missing_monitor_warns_and_trains_on():
    stopper = callbacks.EarlyStopping(patience=0)                    # val_loss: no validation
    x, y = _data()
    with pytest.warns(UserWarning, match="val_loss.*not available"):
        history = _model().fit(x, y, epochs=3, verbose=0, callbacks=[stopper])
    assert history.epoch == [0, 1, 2]


def test_mode_auto_follows_the_metric_direction():
    stopper = callbacks.EarlyStopping("val_accuracy", patience=5)
    _fit([0, 0], stopper, validation_data=(np.zeros((4, 3)), np.zeros(4, int)))
    assert stopper.direction == "max"
    assert callbacks.EarlyStopping("loss").mode == "auto"
    for monitor, direction in (("val_loss", "min"), ("out_loss", "min"), ("val_out_auc_1", "max"),
                               ("mae", "min"), ("val_sparse_categorical_accuracy", "max")):
        watcher = callbacks.EarlyStopping(monitor)
        watcher._resolve_direction()
        assert watcher.direction == direction, monitor
    with pytest.raises(ValueError, match="EarlyStopping.*'score'.*mode='max'"):
        _fit([1.0, 2.0], callbacks.EarlyStopping("score"))
    with pytest.raises(nnkit.InvalidArgumentError, match="mode must be"):
        callbacks.EarlyStopping(mode="lowest")


# ---- ModelCheckpoint -----------------------------------------------------------------------
def test_model_checkpoint_formats_names_and_keeps_only_improvements(tmp_path):
    saver = callbacks.ModelCheckpoint(str(tmp_path / "m-{epoch:02d}-{score:.2f}.h5"),
                                      monitor="score", mode="min", save_best_only=True)
    _, script = _fit([3.0, 2.0, 2.5, 1.0], saver)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m-01-3.00.h5", "m-02-2.00.h5",
                                                          "m-04-1.00.h5"]
    restored = nnkit.load_model(tmp_path / "m-04-1.00.h5")
    for a, b in zip(restored.get_weights(), script.weights[3]):
        np.testing.assert_array_equal(a, b)


def test_model_checkpoint_initial_value_threshold_and_messages(tmp_path, capsys):
    path = str(tmp_path / "best.h5")
    saver = callbacks.ModelCheckpoint(path, monitor="score", mode="min", save_best_only=True,
                                      initial_value_threshold=2.5, verbose=1)
    _fit([3.0, 2.0, 2.2], saver)
    out = capsys.readouterr().out
    assert "Epoch 1: score did not improve from 2.50000" in out
    assert f"Epoch 2: score improved from 2.50000 to 2.00000, saving model to {path}" in out
    assert "Epoch 3: score did not improve from 2.00000" in out
    assert saver.best == 2.0


def test_model_checkpoint_every_n_batches_with_batch_in_the_name(tmp_path):
    saver = callbacks.ModelCheckpoint(str(tmp_path / "sub" / "b-{epoch}-{batch}.h5"),
                                      save_freq=2, monitor="loss")
    _fit([0.0, 0.0], saver)                                  # 16 examples, batches of 8
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == ["b-1-2.h5", "b-2-2.h5"]


def test_model_checkpoint_keras_weights_file_and_refused_endings(tmp_path):
    model = _model()
    saver = callbacks.ModelCheckpoint(str(tmp_path / "w.weights.h5"), monitor="loss",
                                      save_weights_only=True)
    _fit([0.0], saver, model=model)
    assert nnkit.saving.file_kind(tmp_path / "w.weights.h5") == "keras3_weights"
    fresh = _model()
    fresh.load_weights(tmp_path / "w.weights.h5")
    x, _ = _data()
    np.testing.assert_array_equal(fresh.predict(x), model.predict(x))
    with pytest.raises(nnkit.InvalidArgumentError, match="'.keras' is for a whole model"):
        callbacks.ModelCheckpoint("m.keras", save_weights_only=True)
    with pytest.raises(nnkit.InvalidArgumentError, match="'.weights.h5' is for weights only"):
        callbacks.ModelCheckpoint("m.weights.h5")
    with pytest.raises(nnkit.InvalidArgumentError, match="save_freq"):
        callbacks.ModelCheckpoint("m.h5", save_freq="batch")


# ---- ReduceLROnPlateau and LearningRateScheduler --------------------------------------------
def test_reduce_lr_on_plateau_logs_the_rate_the_epoch_ran_with(capsys):
    reduce = callbacks.ReduceLROnPlateau("score", factor=0.5, patience=1, verbose=1,
                                         mode="min")
    history, _ = _fit([1.0, 1.0, 1.0, 0.5], reduce)
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.1, 0.05, 0.025])
    assert capsys.readouterr().out.splitlines()[1:] == [
        "Epoch 2: ReduceLROnPlateau reducing learning rate to 0.05.", "",
        "Epoch 3: ReduceLROnPlateau reducing learning rate to 0.025."]
    with pytest.warns(DeprecationWarning, match="min_delta"):
        assert callbacks.ReduceLROnPlateau(epsilon=0.5).min_delta == 0.5
    with pytest.raises(nnkit.InvalidArgumentError, match="unknown arguments \\['cool'\\]"):
        callbacks.ReduceLROnPlateau(cool=1)
    with pytest.raises(nnkit.InvalidArgumentError, match="factor"):
        callbacks.ReduceLROnPlateau(factor=1.0)


def test_learning_rate_scheduler_takes_both_schedule_forms(capsys):
    epochs_seen = []

    def by_epoch(epoch):
        epochs_seen.append(epoch)
        return 0.2 / (epoch + 1)
    history, _ = _fit([0.0] * 3, callbacks.LearningRateScheduler(by_epoch, verbose=1))
    assert epochs_seen == [0, 1, 2]
    assert history.history["learning_rate"] == pytest.approx([0.2, 0.1, 0.2 / 3])
    assert "Epoch 2: LearningRateScheduler setting learning rate to 0.1." in capsys.readouterr().out
    halving = callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5)
    history, _ = _fit([0.0] * 2, halving)
    assert history.history["learning_rate"] == pytest.approx([0.05, 0.025])
    with pytest.raises(nnkit.InvalidArgumentError, match="must return a float, received 1"):
        _fit([0.0], callbacks.LearningRateScheduler(lambda epoch: 1))


# ---- CSVLogger, TerminateOnNaN, History ----------------------------------------------------
def test_csv_logger_keras_columns_separator_and_append(tmp_path):
    path = tmp_path / "log.csv"
    for _ in range(2):
        _fit([0.5, 0.25], callbacks.CSVLogger(path, separator=";", append=True))
    with open(path, newline="") as file:
        rows = list(csv.DictReader(file, delimiter=";"))
    assert [row["epoch"] for row in rows] == ["0", "1", "0", "1"]   # one header, two fits
    assert list(rows[0]) == ["epoch", "accuracy", "loss", "score", "val_accuracy", "val_loss",
                             "val_score"]
    assert rows[1]["score"] == "0.25" and rows[1]["val_loss"] == "NA"
    _fit([0.5], callbacks.CSVLogger(path))                           # append=False: overwrite
    assert len(path.read_text().splitlines()) == 2


def test_terminate_on_nan_can_raise():
    x = np.ones((8, 3))
    model = nnkit.Sequential([nnkit.Dense(1, input_shape=(3,))])
    model.compile(nnkit.optimizers.SGD(1e30), "mse")
    with np.errstate(all="ignore"), pytest.raises(RuntimeError, match="NaN or Inf loss"):
        model.fit(x, np.full((8, 1), 1e30), batch_size=2, epochs=3, verbose=0,
                  callbacks=[callbacks.TerminateOnNaN(raise_error=True)])


# ---- LambdaCallback and the Callback base ------------------------------------------------
def test_lambda_callback_hooks_get_the_right_epoch_and_batch_numbers():
    calls = []
    hooks = callbacks.LambdaCallback(
        on_train_begin=lambda logs: calls.append("begin"),
        on_epoch_begin=lambda epoch, logs: calls.append(("epoch", epoch)),
        on_train_batch_end=lambda batch, logs: calls.append(("batch", batch, "loss" in logs)),
        on_epoch_end=lambda epoch, logs: calls.append(("end", epoch, sorted(logs))),
        on_train_end=lambda logs: calls.append("done"))
    x, y = _data()
    _model().fit(x, y, batch_size=8, epochs=3, initial_epoch=1, verbose=0, callbacks=[hooks])
    assert calls == ["begin",
                     ("epoch", 1), ("batch", 0, True), ("batch", 1, True),
                     ("end", 1, ["accuracy", "loss"]),
                     ("epoch", 2), ("batch", 0, True), ("batch", 1, True),
                     ("end", 2, ["accuracy", "loss"]), "done"]
    older = []
    _model().fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[
        callbacks.LambdaCallback(on_batch_end=lambda batch, logs: older.append(batch))])
    assert older == [0, 1]                           # Keras's older hook name, by keyword
    with pytest.raises(nnkit.InvalidArgumentError, match="'on_epoch_ends' is not a callback"):
        callbacks.LambdaCallback(on_epoch_ends=print)


def test_callback_params_model_and_every_hook_dispatched():
    seen = []

    class Recorder(callbacks.Callback):
        def set_params(self, params):
            super().set_params(params)
            seen.append(dict(params))

        def on_batch_end(self, batch, logs=None):
            seen.append(("batch_end", batch))
    recorder = Recorder()
    x, y = _data()
    model = _model()
    model.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[recorder])
    assert seen == [{"epochs": 2, "steps": 2, "verbose": 0}, ("batch_end", 0), ("batch_end", 1),
                    ("batch_end", 0), ("batch_end", 1)]
    assert recorder.model is model and recorder.params["epochs"] == 2
    hooks = []
    spy = callbacks.LambdaCallback(**{name: (lambda name: lambda *a, **k: hooks.append(name))(name)
                                      for name in ("on_test_begin", "on_test_batch_end",
                                                   "on_predict_begin", "on_predict_batch_begin")})
    calls = callbacks.CallbackList([spy], model, verbose=0, epochs=1, steps=3)
    calls.on_test_begin({})
    calls.on_test_batch_end(0, logs={})
    calls.on_predict_begin({})
    calls.on_predict_batch_begin(0, {})
    calls.on_predict_end({})
    assert hooks == ["on_test_begin", "on_test_batch_end", "on_predict_begin",
                     "on_predict_batch_begin"]
    with pytest.raises(AttributeError):
        calls.on_epoch_ends(0)


# ---- BackupAndRestore ---------------------------------------------------------------------
class StopAt(callbacks.Callback):
    def __init__(self, epoch, batch):
        super().__init__()
        self.at = (epoch, batch)

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if (self.epoch, batch) == self.at:
            self.model.stop_training = True


def test_backup_and_restore_in_a_folder_resumes_exactly_then_deletes(tmp_path):
    x, y = _data()
    nnkit.set_seed(5)
    reference = _model().fit(x, y, batch_size=4, epochs=3, verbose=0).history
    folder = tmp_path / "backup"
    nnkit.set_seed(5)
    _model().fit(x, y, batch_size=4, epochs=3, verbose=0,
                 callbacks=[StopAt(1, 1), callbacks.BackupAndRestore(folder, save_freq=1)])
    assert (folder / "backup.h5").exists()                   # a stopped fit keeps it
    resumed = _model().fit(x, y, batch_size=4, epochs=3, verbose=0,
                           callbacks=[callbacks.BackupAndRestore(folder, save_freq=1)])
    assert resumed.history == reference
    assert not folder.exists()                               # deleted after a finished fit
    kept = callbacks.BackupAndRestore(folder, delete_checkpoint=False, double_checkpoint=True)
    _model().fit(x, y, batch_size=4, epochs=1, verbose=0, callbacks=[kept])
    assert (folder / "backup.h5").exists()
    with pytest.raises(nnkit.InvalidArgumentError, match="save_freq"):
        callbacks.BackupAndRestore(folder, save_freq=False)


# ---- ProgbarLogger, TensorBoard, what nnkit lacks -------------------------------------------
def test_progbar_logger_verbose_2_prints_keras_lines(capsys):
    assert callbacks.ProgbarLogger is callbacks.ProgressBar
    x, y = _data()
    history = _model().fit(x, y, batch_size=8, epochs=2, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    assert lines[3].startswith("2/2 - ")
    assert lines[3].endswith(f"loss: {history.history['loss'][1]:.4f} - "
                             f"accuracy: {history.history['accuracy'][1]:.4f}")
    bar = callbacks.ProgbarLogger()
    given = callbacks.CallbackList([bar], None, verbose=1, epochs=1, steps=2)
    assert given.callbacks == [bar]                           # no second bar


def test_progress_lines_go_to_logging_when_interactive_logging_is_off(capsys, caplog):
    x, y = _data()
    nnkit.config.disable_interactive_logging()
    try:
        with caplog.at_level(logging.INFO, logger="nnkit"):
            _model().fit(x, y, batch_size=8, epochs=1, verbose=1)
    finally:
        nnkit.config.enable_interactive_logging()
    assert capsys.readouterr().out == ""
    assert [r.getMessage()[:6] for r in caplog.records] == ["2/2 - "]


def test_tensorboard_refuses_what_it_cannot_write_by_name(tmp_path):
    for argument in ({"write_images": True}, {"profile_batch": 2}, {"embeddings_freq": 1}):
        name = next(iter(argument))
        with pytest.raises(nnkit.InvalidArgumentError, match=f"does not provide {name}"):
            callbacks.TensorBoard(tmp_path, **argument)
    board = callbacks.TensorBoard(tmp_path, write_graph=False, update_freq="batch",
                                  embeddings_metadata={"emb": "meta.tsv"})
    assert board.update_freq == 1


def test_tensorboard_steps_per_second_and_learning_rate(tmp_path):
    pytest.importorskip("tensorboardX")
    from test_training_views import read_events
    board = callbacks.TensorBoard(tmp_path, write_steps_per_second=True, update_freq=1)
    _fit([0.0, 0.0], board)
    train = read_events(tmp_path / "train")
    assert [step for step, _ in train["batch_steps_per_second"]] == [1, 2, 3, 4]
    assert [step for step, _ in train["epoch_steps_per_second"]] == [0, 1]
    assert all(value > 0 for _, value in train["epoch_steps_per_second"])
    assert [value for _, value in train["epoch_learning_rate"]] == pytest.approx([0.1, 0.1])


def test_callbacks_nnkit_lacks_say_so():
    with pytest.raises(AttributeError,
                       match="nnkit does not provide keras.callbacks.RemoteMonitor"):
        callbacks.RemoteMonitor
    with pytest.raises(AttributeError, match="has no attribute 'Remote'"):
        callbacks.Remote
