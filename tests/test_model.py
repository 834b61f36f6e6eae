"""Sequential's training API: fit/evaluate/predict/train_on_batch semantics and callbacks.

Numbers are checked against hand computations from the model's own outputs or
weights; "loss goes down" appears only as a smoke check.
"""
import csv
import math

import numpy as np
import pytest

import nnkit
from nnkit import callbacks
from scripted_logs import ScriptedLogs


def _data(n=40, d=6, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype("float32")
    y = (x[:, 0] > 0).astype(int) + (x[:, 1] > 1).astype(int)
    return x, np.minimum(y, classes - 1)


def _mlp(d=6, classes=3, hidden=8, dropout=None):
    layers = [nnkit.Dense(hidden, activation="tanh", input_shape=(d,))]
    if dropout:
        layers.append(nnkit.Dropout(dropout))
    layers.append(nnkit.Dense(classes, activation="softmax"))
    model = nnkit.Sequential(layers)
    model.compile(nnkit.optimizers.SGD(0.1), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _xent(p, y, w=None):
    """Hand-computed mean cross-entropy of probabilities ``p`` for labels ``y``."""
    picked = np.take_along_axis(p, y[..., None], axis=-1)[..., 0].astype(np.float64)
    losses = -np.log(np.maximum(picked, 1e-7))
    return losses.mean() if w is None else (losses * w).sum() / len(y)


class _BatchCounter(callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.batches, self.learning_rates = 0, []

    def on_train_batch_begin(self, batch, logs=None):
        self.batches += 1
        self.learning_rates.append(self.model.optimizer.learning_rate)


# ---- fit / History -------------------------------------------------------------
def test_history_keys_and_lengths_with_validation_split():
    x, y = _data()
    model = _mlp()
    history = model.fit(x, y, batch_size=8, epochs=3, validation_split=0.25, verbose=0)
    assert history is model.history
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(values) == 3 for values in history.history.values())
    assert history.epoch == [0, 1, 2]
    # the held-out part is the last 25 %, evaluated with the final weights after the last epoch
    held_out = model.evaluate(x[30:], y[30:], return_dict=True)
    assert history.history["val_loss"][-1] == pytest.approx(held_out["loss"], rel=1e-6)
    assert history.history["val_accuracy"][-1] == pytest.approx(held_out["accuracy"])


def test_history_with_validation_data_and_smoke():
    x, y = _data()
    xv, yv = _data(n=12, seed=1)
    model = _mlp()
    history = model.fit(x, y, batch_size=8, epochs=4, validation_data=(xv, yv), verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history.history["val_loss"][-1] == pytest.approx(model.evaluate(xv, yv)[0],
                                                            rel=1e-6)
    assert history.history["loss"][-1] < history.history["loss"][0]     # smoke only


def test_training_loss_is_the_mean_over_the_epochs_batches():
    x, y = _data(n=10)
    model = _mlp()
    start = model.get_weights()
    history = model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    # replay the three batches (4, 4, 2 examples) by hand with train_on_batch
    replay = _mlp()
    replay.set_weights(start)
    losses = [replay.train_on_batch(x[i:i + 4], y[i:i + 4], return_dict=True)["loss"]
              for i in (0, 4, 8)]
    expected = (4 * losses[0] + 4 * losses[1] + 2 * losses[2]) / 10
    assert history.history["loss"][0] == pytest.approx(expected, rel=1e-6)
    for a, b in zip(model.get_weights(), replay.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_verbose_0_prints_nothing(capsys):
    x, y = _data()
    model = _mlp()
    model.fit(x, y, batch_size=8, epochs=2, validation_split=0.2, verbose=0)
    model.evaluate(x, y, verbose=0)
    model.predict(x, verbose=0)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_evaluate_and_predict_show_a_bar_by_default_as_keras(capsys):
    x, y = _data()
    model = _mlp()
    model.evaluate(x, y)
    model.predict(x)
    captured = capsys.readouterr()
    assert "Evaluating" in captured.err and "Predicting" in captured.err


def test_verbose_1_shows_a_tqdm_bar(capsys):
    x, y = _data()
    model = _mlp()
    model.fit(x, y, batch_size=8, epochs=2, verbose=1)
    err = capsys.readouterr().err
    assert "Epoch 1/2" in err and "Epoch 2/2" in err
    assert "5/5" in err                              # 40 examples / 8 per batch
    assert "loss=" in err


# ---- evaluate / predict / train_on_batch -----------------------------------------
def test_evaluate_matches_hand_computation_from_predict():
    x, y = _data(n=23)
    model = _mlp()
    p = model.predict(x)
    result = model.evaluate(x, y, batch_size=5, return_dict=True)
    assert set(result) == {"loss", "accuracy"}
    assert result["loss"] == pytest.approx(_xent(p, y), rel=1e-5)
    assert result["accuracy"] == pytest.approx(np.mean(p.argmax(axis=1) == y))
    w = np.linspace(0.0, 2.0, 23)
    weighted = model.evaluate(x, y, sample_weight=w, batch_size=5, return_dict=True)
    assert weighted["loss"] == pytest.approx(_xent(p, y, w), rel=1e-5)


def test_predict_returns_host_numpy():
    x, _ = _data(n=17)
    model = _mlp()
    p = model.predict(x, batch_size=4)
    assert type(p) is np.ndarray and p.shape == (17, 3) and p.dtype == np.float32
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(p, model.predict(x, batch_size=17), rtol=1e-6)


def test_train_on_batch_is_one_hand_computed_sgd_step():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 3)).astype("float32")
    y = rng.normal(size=(5, 2)).astype("float32")
    model = nnkit.Sequential([nnkit.Dense(2, input_shape=(3,))])
    model.compile(nnkit.optimizers.SGD(0.5), "mse")
    kernel, bias = model.get_weights()
    out = x @ kernel + bias
    loss = ((out - y) ** 2).mean()
    dout = 2 * (out - y) / out.size
    logs = model.train_on_batch(x, y, return_dict=True)
    assert set(logs) == {"loss"}
    assert logs["loss"] == pytest.approx(loss, rel=1e-5)          # loss before the step
    new_kernel, new_bias = model.get_weights()
    np.testing.assert_allclose(new_kernel, kernel - 0.5 * x.T @ dout, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(new_bias, bias - 0.5 * dout.sum(axis=0), rtol=1e-5, atol=1e-7)
    assert model.optimizer.iterations == 1


# ---- weights, summary, building ---------------------------------------------------
def test_get_set_weights_keras_layout_and_forward():
    model = nnkit.Sequential([nnkit.Dense(4, activation="relu", input_shape=(3,)),
                              nnkit.Dense(2)])
    shapes = [w.shape for w in model.get_weights()]
    assert shapes == [(3, 4), (4,), (4, 2), (2,)]
    rng = np.random.default_rng(1)
    weights = [rng.normal(size=s).astype("float32") for s in shapes]
    model.set_weights(weights)
    for a, b in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(a, b)
    x = rng.normal(size=(6, 3)).astype("float32")
    hidden = np.maximum(x @ weights[0] + weights[1], 0)
    np.testing.assert_allclose(model.predict(x), hidden @ weights[2] + weights[3], rtol=1e-5,
                               atol=1e-6)
    got = model.get_weights()
    got[0][...] = 0                                     # copies, not views
    assert not np.all(model.get_weights()[0] == 0)
    with pytest.raises(nnkit.ShapeError, match=r"expected shape \(3, 4\)"):
        model.set_weights([np.zeros((4, 3))] + weights[1:])


def test_summary_prints_shapes_and_param_counts():
    model = nnkit.Sequential([nnkit.Embedding(100, 8, input_shape=(10,)),
                              nnkit.GlobalAveragePooling1D(),
                              nnkit.Dense(20, activation="sigmoid"),
                              nnkit.Dense(2, activation="softmax")], name="clf")
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert 'Model: "clf"' in text
    assert "(None, 10, 8)" in text and "(None, 8)" in text and "(None, 20)" in text
    assert "(None, 2)" in text
    assert "800" in text and "180" in text and "42" in text
    assert "Total params: 1,022" in text
    assert model.count_params() == 800 + 180 + 42


def test_summary_of_unbuilt_model_is_refused():
    with pytest.raises(nnkit.NotBuiltError, match="summary"):
        nnkit.Sequential([nnkit.Dense(2)]).summary()


def test_sequential_add():
    model = nnkit.Sequential()
    model.add(nnkit.Dense(5, activation="tanh", input_shape=(3,)))
    assert model.built
    model.add(nnkit.Dense(2, activation="softmax"))
    assert model.built and model.layers[1].params["kernel"].shape == (5, 2)
    assert model.predict(np.ones((4, 3))).shape == (4, 2)
    with pytest.raises(nnkit.InvalidArgumentError, match="already in the model"):
        model.add(model.layers[0])
    with pytest.raises(nnkit.InvalidArgumentError, match="expected a nnkit Layer"):
        model.add("dense")
    lazy = nnkit.Sequential()
    lazy.add(nnkit.Dense(2))
    assert not lazy.built
    lazy.compile("sgd", "mse")
    lazy.fit(np.ones((4, 7)), np.zeros((4, 2)), verbose=0)
    assert lazy.built and lazy.get_weights()[0].shape == (7, 2)


def test_compile_with_instances_and_names():
    optimizer = nnkit.optimizers.Adam(0.003)
    loss = nnkit.losses.CategoricalCrossentropy()
    model = _mlp()
    model.compile(optimizer, loss, metrics=["accuracy"])
    assert model.optimizer is optimizer and model.loss is loss
    model.compile("rmsprop", "categorical_crossentropy", metrics=["acc"])
    assert type(model.optimizer) is nnkit.optimizers.RMSprop
    assert type(model.loss) is nnkit.losses.CategoricalCrossentropy
    x, y = _data(n=8)
    result = model.evaluate(x, np.eye(3)[y], return_dict=True)
    assert set(result) == {"loss", "acc"}                  # Keras 3 logs the name given
    model.compile("sgd", "mean_squared_error")
    assert type(model.loss) is nnkit.losses.MeanSquaredError


# ---- dropout and reproducibility --------------------------------------------------
def test_dropout_is_off_in_predict_and_evaluate():
    x, y = _data(n=16)
    model = _mlp(dropout=0.5)
    plain = nnkit.Sequential([nnkit.Dense(8, activation="tanh", input_shape=(6,)),
                              nnkit.Dense(3, activation="softmax")])
    plain.set_weights(model.get_weights())
    p = model.predict(x)
    np.testing.assert_array_equal(p, model.predict(x))
    np.testing.assert_allclose(p, plain.predict(x), rtol=1e-6)
    plain.compile("sgd", "sparse_categorical_crossentropy")
    assert model.evaluate(x, y, return_dict=True)["loss"] == pytest.approx(
        plain.evaluate(x, y, return_dict=True)["loss"], rel=1e-6)
    # ... and on in training: the training loss differs from the inference loss
    assert model.forward_loss(x, y, training=True) != pytest.approx(
        model.forward_loss(x, y, training=False), rel=1e-4)
    model.clear_cache()


def _train_run(seed, dropout=0.3):
    nnkit.set_seed(seed)
    x, y = _data()
    model = _mlp(dropout=dropout)
    initial = model.get_weights()
    history = model.fit(x, y, batch_size=8, epochs=3, verbose=0)
    return initial, history.history["loss"], model.get_weights()


def test_same_seed_same_weights_masks_and_loss_trace():
    init_a, trace_a, final_a = _train_run(7)
    init_b, trace_b, final_b = _train_run(7)
    for a, b in zip(init_a + final_a, init_b + final_b):
        np.testing.assert_array_equal(a, b)
    assert trace_a == trace_b
    init_c, trace_c, _ = _train_run(8)
    assert not np.array_equal(init_a[0], init_c[0])
    assert trace_a != trace_c


def test_same_seed_same_dropout_masks_given_same_weights():
    x, y = _data(n=8)
    model = _mlp(dropout=0.5)
    nnkit.set_seed(3)
    first = model.forward_loss(x, y)
    nnkit.set_seed(3)
    second = model.forward_loss(x, y)
    nnkit.set_seed(4)
    third = model.forward_loss(x, y)
    model.clear_cache()
    assert first == second and first != third


# ---- masking --------------------------------------------------------------------------
def _sequence_model():
    model = nnkit.Sequential([nnkit.Embedding(10, 4, mask_zero=True),
                              nnkit.Dense(3, activation="softmax")])
    model.compile(nnkit.optimizers.SGD(0.1), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


IDS = np.array([[1, 2, 3, 0, 0], [4, 5, 6, 7, 8], [9, 0, 0, 0, 0], [2, 2, 0, 0, 0]])
STEP_LABELS = np.array([[0, 1, 2, 0, 0], [1, 1, 0, 2, 2], [2, 1, 1, 1, 1], [0, 2, 0, 0, 0]])


def test_mask_weights_the_loss_over_valid_steps_only():
    model = _sequence_model()
    p = model.predict(IDS)
    assert p.shape == (4, 5, 3)
    valid = IDS != 0
    losses = -np.log(np.take_along_axis(p, STEP_LABELS[..., None], -1)[..., 0].astype(float))
    expected = losses[valid].sum() / valid.sum()             # 11 valid steps
    # batches with 8 and 3 valid steps
    result = model.evaluate(IDS, STEP_LABELS, batch_size=3, return_dict=True)
    assert result["loss"] == pytest.approx(expected, rel=1e-5)
    hits = p.argmax(-1) == STEP_LABELS
    assert result["accuracy"] == pytest.approx(hits[valid].mean())
    # labels at padded steps change nothing
    other = np.where(valid, STEP_LABELS, (STEP_LABELS + 1) % 3)
    assert model.evaluate(IDS, other, batch_size=3, return_dict=True)["loss"] == pytest.approx(
        result["loss"],
                                                                             rel=1e-6)


def test_mask_with_per_step_sample_weight():
    model = _sequence_model()
    p = model.predict(IDS)
    valid = IDS != 0
    w = np.random.default_rng(0).uniform(0.5, 2.0, size=IDS.shape)
    losses = -np.log(np.take_along_axis(p, STEP_LABELS[..., None], -1)[..., 0].astype(float))
    expected = (losses * w * valid).sum() / valid.sum()
    assert model.evaluate(IDS, STEP_LABELS, sample_weight=w, batch_size=4,
                          return_dict=True)["loss"] == \
        pytest.approx(expected, rel=1e-5)


def test_padded_steps_give_no_gradient():
    model = _sequence_model()
    model.zero_grads()
    model.forward_loss(IDS, STEP_LABELS)
    model.backward_loss()
    grads = model.named_gradients()
    table_grad = grads[f"{model.layers[0].name}/embeddings"]
    np.testing.assert_array_equal(table_grad[0], 0.0)       # row of the padding id
    assert np.abs(table_grad[1:]).sum() > 0


# ---- callbacks --------------------------------------------------------------------------
def test_early_stopping_patience_counts_epochs_without_improvement():
    x, y = _data(n=16)
    model = _mlp()
    scores = [5.0, 4.0, 4.5, 4.2, 4.1, 3.0, 2.0, 1.0]        # best at epoch 1, then 3 worse
    stopper = callbacks.EarlyStopping(monitor="score", mode="min", patience=2)
    history = model.fit(x, y, epochs=8, verbose=0,
                        callbacks=[ScriptedLogs("score", scores), stopper])
    # Keras: stop after `patience` epochs without improvement -> after epoch 3
    assert history.epoch == [0, 1, 2, 3]
    assert stopper.stopped_epoch == 3


def test_early_stopping_patience_zero_stops_at_first_non_improvement():
    x, y = _data(n=16)
    model = _mlp()
    history = model.fit(x, y, epochs=5, verbose=0,
                        callbacks=[ScriptedLogs("score", [3.0, 2.0, 2.5, 1.0, 0.5]),
                                   callbacks.EarlyStopping(monitor="score", mode="min",
                                                           patience=0)])
    assert history.epoch == [0, 1, 2]


def test_early_stopping_restores_best_weights():
    x, y = _data(n=16)
    model = _mlp()
    script = ScriptedLogs("score", [5.0, 1.0, 4.0, 3.0, 2.0, 2.5])
    model.fit(x, y, epochs=6, verbose=0,
              callbacks=[script, callbacks.EarlyStopping(monitor="score", mode="min", patience=3,
                                                         restore_best_weights=True)])
    assert len(script.weights) == 5                    # stopped after epoch 4
    for a, b in zip(model.get_weights(), script.weights[1]):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(script.weights[1][0], script.weights[4][0])


def test_model_checkpoint_save_best_only(tmp_path):
    x, y = _data(n=16)
    model = _mlp()
    script = ScriptedLogs("score", [3.0, 2.0, 2.5, 1.0, 1.5])
    path = tmp_path / "ckpt-{epoch}.h5"
    model.fit(x, y, epochs=5, verbose=0,
              callbacks=[script, callbacks.ModelCheckpoint(str(path), monitor="score", mode="min",
                                                           save_best_only=True)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt-1.h5", "ckpt-2.h5", "ckpt-4.h5"]
    restored = nnkit.load_model(tmp_path / "ckpt-4.h5")
    for a, b in zip(restored.get_weights(), script.weights[3]):
        np.testing.assert_array_equal(a, b)
    assert restored.evaluate(x, y, return_dict=True)["loss"] == pytest.approx(
        _xent(restored.predict(x), y), rel=1e-5)


def test_model_checkpoint_every_epoch_weights_only(tmp_path):
    x, y = _data(n=16)
    model = _mlp()
    model.fit(x, y, epochs=2, verbose=0,
              callbacks=[callbacks.ModelCheckpoint(str(tmp_path / "w-{epoch:02d}.h5"),
                                                   save_weights_only=True)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w-01.h5", "w-02.h5"]
    fresh = nnkit.Sequential.from_config(model.get_config())      # same layer names
    fresh.load_weights(tmp_path / "w-02.h5")
    np.testing.assert_array_equal(fresh.predict(x), model.predict(x))


def test_load_weights_into_an_identical_fresh_model(tmp_path):
    x, _ = _data(n=4)
    model = _mlp()
    model.save_weights(tmp_path / "w.h5")
    fresh = _mlp()                                   # same architecture, new layer names
    fresh.load_weights(tmp_path / "w.h5")
    np.testing.assert_array_equal(fresh.predict(x), model.predict(x))


def test_learning_rate_scheduler_sets_the_rate_used_by_each_epoch():
    x, y = _data(n=16)
    model = _mlp()
    counter = _BatchCounter()
    history = model.fit(x, y, batch_size=8, epochs=3, verbose=0,
                        callbacks=[callbacks.LearningRateScheduler(
                            lambda epoch, lr: 0.1 * 0.5 ** epoch), counter])
    assert counter.learning_rates == [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]
    assert model.optimizer.learning_rate == 0.025
    assert history.history["learning_rate"] == [0.1, 0.05, 0.025]


def test_csv_logger_writes_one_row_per_epoch(tmp_path):
    x, y = _data(n=16)
    model = _mlp()
    path = tmp_path / "log.csv"
    history = model.fit(x, y, epochs=3, verbose=0, validation_split=0.25,
                        callbacks=[callbacks.CSVLogger(path)])
    with open(path, newline="") as file:
        rows = list(csv.DictReader(file))
    assert [int(row["epoch"]) for row in rows] == [0, 1, 2]
    assert set(rows[0]) == {"epoch", "loss", "accuracy", "val_loss", "val_accuracy"}
    for key in ("loss", "val_loss"):
        assert [float(row[key]) for row in rows] == pytest.approx(history.history[key])


def test_terminate_on_nan_stops_at_the_first_non_finite_loss(capsys):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = (x @ np.array([[1.0], [2.0], [3.0]])).astype("float32")
    model = nnkit.Sequential([nnkit.Dense(1, input_shape=(3,))])
    model.compile(nnkit.optimizers.SGD(1e4), "mse")        # diverges within a few batches
    counter = _BatchCounter()
    with np.errstate(all="ignore"):
        history = model.fit(x, y, batch_size=4, epochs=3, verbose=0,
                            callbacks=[callbacks.TerminateOnNaN(), counter])
    assert counter.batches < 16                            # stopped inside the first epoch
    assert len(history.epoch) == 1
    assert not math.isfinite(history.history["loss"][0])
    assert "Invalid loss" in capsys.readouterr().out


def test_early_stopping_reused_in_a_second_fit_starts_afresh():
    x, y = _data(n=16)
    model = _mlp()
    stopper = callbacks.EarlyStopping(monitor="score", mode="min", patience=1,
                                      restore_best_weights=True)
    model.fit(x, y, epochs=3, verbose=0, callbacks=[ScriptedLogs("score", [1.0, 2.0, 3.0]), stopper])
    assert model.history.epoch == [0, 1]
    # the second fit's scores are all worse than the first fit's best, but they improve
    script = ScriptedLogs("score", [10.0, 9.0, 8.0])
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[script, stopper])
    assert history.epoch == [0, 1, 2]
    for a, b in zip(model.get_weights(), script.weights[2]):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("loss, units, activation", [
    ("categorical_crossentropy", 3, "softmax"), ("binary_crossentropy", 1, "sigmoid"),
    ("binary_crossentropy", 3, "sigmoid")])
def test_accuracy_rule_follows_the_loss(loss, units, activation):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(30, 4)).astype("float32")
    model = nnkit.Sequential([nnkit.Dense(units, activation=activation, input_shape=(4,))])
    model.compile("sgd", loss, metrics=["accuracy"])
    p = model.predict(x)
    if loss == "categorical_crossentropy":
        y = np.eye(3)[rng.integers(0, 3, size=30)]
        expected = np.mean(p.argmax(1) == y.argmax(1))
    else:                                       # Keras's binary_accuracy, per output
        y = rng.integers(0, 2, size=(30, units)).astype("float32")
        expected = np.mean((p > 0.5) == (y > 0.5))
    assert model.evaluate(x, y, batch_size=7, return_dict=True)["accuracy"] == \
        pytest.approx(expected)
