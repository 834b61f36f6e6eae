"""Learning-rate schedules, weight decay, AdamW and ReduceLROnPlateau against Keras 3 and Keras's rules."""
import json
import pathlib

import numpy as np
import pytest

import nnkit
from nnkit.callbacks import ReduceLROnPlateau
from nnkit.optimizers import schedules

FIXTURE = pathlib.Path(__file__).resolve().parent / "fixtures" / "keras" / "optimizers.npz"


@pytest.fixture(scope="module")
def keras_values():
    arrays = dict(np.load(FIXTURE))
    return arrays, json.loads(str(arrays["spec"]))["schedules"]


def test_schedules_equal_keras_step_by_step(keras_values):
    arrays, specs = keras_values
    for name, kwargs in specs.items():
        schedule = getattr(schedules, name.split("_")[0])(**kwargs)
        ours = [schedule(step) for step in range(30)]
        # Keras computes in float32
        np.testing.assert_allclose(ours, arrays[f"schedule/{name}"], rtol=2e-6, atol=1e-8,
                                   err_msg=name)
        clone = schedules.deserialize(json.loads(json.dumps(schedules.serialize(schedule))))
        assert [clone(step) for step in range(30)] == ours


@pytest.mark.parametrize("name, make", [
    ("AdamW", lambda: nnkit.optimizers.AdamW(learning_rate=0.05, weight_decay=0.1)),
    ("SGD_decay_schedule", lambda: nnkit.optimizers.SGD(
        learning_rate=schedules.ExponentialDecay(0.1, 3, 0.5), momentum=0.9, weight_decay=0.05)),
])
def test_weight_decay_and_schedules_follow_keras_updates(keras_values, name, make):
    arrays, _ = keras_values
    optimizer = make()
    param = arrays["start"].astype("float64").copy()
    for step, grad in enumerate(arrays["grads"]):
        optimizer.apply_gradients({"w": param}, {"w": grad.astype("float64").copy()})
        np.testing.assert_allclose(param, arrays[f"trajectory/{name}"][step], rtol=2e-5,
                                   atol=2e-6, err_msg=f"{name} step {step}")


def test_a_scheduled_optimizer_saves_loads_and_resumes_on_schedule(tmp_path):
    x = np.random.default_rng(0).normal(size=(20, 3))
    y = (x[:, 0] > 0).astype(int)
    model = nnkit.Sequential([nnkit.Dense(2, activation="softmax", input_shape=(3,))])
    model.compile(nnkit.optimizers.Adam(schedules.InverseTimeDecay(0.1, 2, 1.0)),
                  "sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=5, epochs=1, verbose=0)
    assert model.optimizer.learning_rate == pytest.approx(0.1 / (1 + 3 / 2))   # step 3
    model.save(tmp_path / "m.h5")
    restored = nnkit.load_model(tmp_path / "m.h5")
    assert isinstance(restored.optimizer.schedule, schedules.InverseTimeDecay)
    for trained in (model, restored):
        trained.train_on_batch(x[:5], y[:5], return_dict=True)
    assert restored.optimizer.learning_rate == model.optimizer.learning_rate == \
        pytest.approx(0.1 / (1 + 4 / 2))
    np.testing.assert_array_equal(model.get_weights()[0], restored.get_weights()[0])


def test_bad_schedule_arguments():
    with pytest.raises(nnkit.InvalidArgumentError, match="decay_steps must be a positive"):
        schedules.ExponentialDecay(0.1, 0, 0.5)
    with pytest.raises(nnkit.InvalidArgumentError, match="one more value than boundaries"):
        schedules.PiecewiseConstantDecay([1, 2], [0.1, 0.2])
    with pytest.raises(nnkit.InvalidArgumentError, match="weight_decay must be a number in"):
        nnkit.optimizers.SGD(weight_decay=-1.0)


def test_reduce_lr_on_plateau_equals_keras(keras_values):
    arrays, _ = keras_values
    x = np.zeros((8, 2))
    y = np.zeros(8, int)
    model = nnkit.Sequential([nnkit.Dense(2, activation="softmax", input_shape=(2,))])
    model.compile(nnkit.optimizers.SGD(0.5), "sparse_categorical_crossentropy")
    losses = iter(arrays["plateau/losses"].tolist())

    class FakeLoss(nnkit.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["val_loss"] = next(losses)

    rates = []

    class Rate(nnkit.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            rates.append(self.model.optimizer.learning_rate)

    reduce = ReduceLROnPlateau("val_loss", factor=0.5, patience=2, cooldown=1, min_lr=0.1)
    history = model.fit(x, y, epochs=len(arrays["plateau/lr"]), verbose=0,
                        callbacks=[FakeLoss(), reduce, Rate()])
    np.testing.assert_allclose(rates, arrays["plateau/lr"], rtol=1e-7)
    # Keras 3 logs the rate the epoch ran with, before that epoch's reduction
    np.testing.assert_allclose(history.history["learning_rate"], [0.5] + rates[:-1], rtol=1e-7)


def test_plateau_and_scheduler_callbacks_refuse_a_schedule():
    model = nnkit.Sequential([nnkit.Dense(2, activation="softmax", input_shape=(2,))])
    model.compile(nnkit.optimizers.SGD(schedules.ExponentialDecay(0.1, 2, 0.5)),
                  "sparse_categorical_crossentropy")
    with pytest.raises(nnkit.InvalidArgumentError, match="schedule"):
        model.fit(np.zeros((4, 2)), np.zeros(4, int), verbose=0, callbacks=[ReduceLROnPlateau()])


def test_class_weight_equals_the_matching_sample_weight():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(30, 4)), rng.integers(0, 3, size=30)
    weights = {0: 0.5, 1: 2.0, 2: 1.5}
    results = []
    for kwargs in (dict(class_weight=weights),
                   dict(sample_weight=np.array([weights[c] for c in y]))):
        nnkit.set_seed(3)
        model = nnkit.Sequential([nnkit.Dense(3, activation="softmax", input_shape=(4,))])
        model.compile("adam", "sparse_categorical_crossentropy")
        model.fit(x, y, batch_size=7, epochs=2, verbose=0, **kwargs)
        results.append(model.get_weights())
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)


def test_batch_methods_and_to_categorical():
    model = nnkit.Sequential([nnkit.Dense(3, activation="softmax", input_shape=(4,))])
    model.compile("sgd", "categorical_crossentropy", metrics=["accuracy"])
    x, labels = np.ones((5, 4)), np.array([0, 2, 1, 2, 0])
    y = nnkit.utils.to_categorical(labels)
    assert y.dtype == np.float32 and y.shape == (5, 3) and (y.argmax(axis=1) == labels).all()
    assert nnkit.utils.to_categorical([[1], [0]], 4).shape == (2, 4)
    np.testing.assert_allclose(model.predict_on_batch(x), model.predict(x))
    assert model.test_on_batch(x, y) == model.evaluate(x, y, batch_size=5)
    with pytest.raises(nnkit.InvalidArgumentError, match="class indices must be in"):
        nnkit.utils.to_categorical([3], 3)


def test_get_layer_by_name_or_index_and_pop():
    model = nnkit.Sequential([nnkit.Dense(3, input_shape=(2,), name="a"), nnkit.Dense(2, name="b")])
    assert model.get_layer("b") is model.layers[1] and model.get_layer(index=0).name == "a"
    with pytest.raises(nnkit.InvalidArgumentError, match="no layer named 'c'.*\\['a', 'b'\\]"):
        model.get_layer("c")
    popped = model.pop()
    assert popped.name == "b" and [layer.name for layer in model.layers] == ["a"]
    assert model.predict(np.ones((4, 2))).shape == (4, 3)
