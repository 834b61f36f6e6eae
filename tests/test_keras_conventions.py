"""Keras 3's calling conventions on nnkit's models: evaluate's return value, fit's
arguments, Sequential with an Input, clone_model, model.input/output, target casts,
optimizer defaults (each checked against what Keras 3.15's source and docs say)."""
import numpy as np
import pytest

import nnkit
from nnkit import layers


def _data(n=24, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 4)), rng.integers(0, 3, n)


def _classifier(metrics=("accuracy",)):
    nnkit.set_seed(1)
    model = nnkit.Sequential([nnkit.Input((4,)), layers.Dense(5, activation="tanh"),
                              layers.Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=list(metrics))
    return model


def test_evaluate_returns_a_scalar_without_metrics_and_a_list_with_them():
    x, y = _data()
    bare = _classifier(metrics=())
    loss = bare.evaluate(x, y, verbose=0)
    assert isinstance(loss, float)
    assert loss == bare.evaluate(x, y, return_dict=True)["loss"]
    model = _classifier(metrics=("accuracy", "sparse_top_k_categorical_accuracy"))
    values = model.evaluate(x, y, verbose=0)
    logs = model.evaluate(x, y, return_dict=True)
    assert model.metrics_names == ["loss", "accuracy", "sparse_top_k_categorical_accuracy"]
    assert values == [logs[name] for name in model.metrics_names]
    loss, accuracy, _ = model.evaluate(x, y)           # Keras's unpacking binds numbers
    assert isinstance(accuracy, float) and 0.0 <= accuracy <= 1.0
    assert loss == pytest.approx(-np.log(model.predict(x)[np.arange(len(y)), y]).mean(),
                                 rel=1e-5)


def test_several_outputs_list_the_loss_then_metrics_then_output_losses():
    inputs = nnkit.Input((4,))
    hidden = layers.Dense(5, activation="tanh")(inputs)
    a = layers.Dense(3, activation="softmax", name="a")(hidden)
    b = layers.Dense(1, name="b")(hidden)
    model = nnkit.Model(inputs, [a, b])
    model.compile("sgd", ["sparse_categorical_crossentropy", "mse"], metrics=[["accuracy"], []])
    x, y = _data()
    logs = model.evaluate(x, [y, x[:, :1]], return_dict=True)
    assert model.metrics_names == ["loss", "a_accuracy", "a_loss", "b_loss"]
    assert model.evaluate(x, [y, x[:, :1]]) == [logs[k] for k in model.metrics_names]


def test_train_and_test_on_batch_return_as_evaluate_does():
    x, y = _data()
    model = _classifier()
    trained = model.train_on_batch(x, y)
    assert isinstance(trained, list) and len(trained) == 2
    assert model.test_on_batch(x, y) == model.evaluate(x, y, batch_size=len(x))
    assert set(model.train_on_batch(x, y, return_dict=True)) == {"loss", "accuracy"}


@pytest.mark.parametrize("verbose", [0, 1, 2, "auto"])
def test_fit_takes_kerass_verbose_values(verbose, capsys):
    x, y = _data()
    history = _classifier().fit(x, y, epochs=2, verbose=verbose)
    assert len(history.history["loss"]) == 2


def test_bad_verbose_is_refused_by_name():
    x, y = _data()
    with pytest.raises(nnkit.InvalidArgumentError, match="verbose"):
        _classifier().fit(x, y, verbose="loud")
    with pytest.raises(nnkit.InvalidArgumentError, match="verbose"):
        _classifier().evaluate(x, y, verbose=3)


def test_validation_freq_and_validation_data_as_a_list():
    x, y = _data()
    history = _classifier().fit(x, y, epochs=4, validation_data=[x[:6], y[:6]],
                                validation_freq=2, verbose=0)
    assert len(history.history["loss"]) == 4
    assert len(history.history["val_loss"]) == 2          # after epochs 2 and 4 (Keras)
    history = _classifier().fit(x, y, epochs=3, validation_data=(x[:6], y[:6]),
                                validation_freq=[1, 3], verbose=0)
    assert len(history.history["val_loss"]) == 2
    with pytest.raises(nnkit.InvalidArgumentError, match="validation_freq"):
        _classifier().fit(x, y, validation_freq=0, verbose=0)


def test_validation_batch_size_gives_the_same_validation_loss():
    x, y = _data()
    a = _classifier().fit(x, y, epochs=1, validation_data=(x, y), verbose=0,
                          validation_batch_size=5)
    b = _classifier().fit(x, y, epochs=1, validation_data=(x, y), verbose=0)
    assert a.history["val_loss"][0] == pytest.approx(b.history["val_loss"][0], rel=1e-5)


def test_sequential_takes_an_input_first_and_builds_at_once():
    model = nnkit.Sequential([nnkit.Input(shape=(None,), dtype="int32"),
                              layers.Embedding(10, 4, mask_zero=True), layers.LSTM(3),
                              layers.Dense(1, activation="sigmoid")])
    assert model.built and len(model.layers) == 3           # the Input is not a layer
    assert model.input.shape == (None, None) and model.output.shape == (None, 1)
    added = nnkit.Sequential()
    added.add(nnkit.Input((4,)))
    added.add(layers.Dense(2))
    assert added.built
    assert added.count_params() == 4 * 2 + 2
    with pytest.raises(nnkit.InvalidArgumentError, match="first"):
        added.add(nnkit.Input((4,)))


def test_bool_one_hot_and_integer_targets_are_cast_as_keras_casts_them():
    x, y = _data()
    model = _classifier()
    model.compile("sgd", "categorical_crossentropy", metrics=["accuracy"])
    one_hot = np.eye(3, dtype=bool)[y]
    assert model.evaluate(x, one_hot) == pytest.approx(model.evaluate(x, one_hot.astype(float)))
    binary = nnkit.Sequential([nnkit.Input((4,)), layers.Dense(1, activation="sigmoid")])
    binary.compile("sgd", "binary_crossentropy")
    assert binary.evaluate(x, y > 0) == pytest.approx(binary.evaluate(x, (y > 0) * 1.0))
    assert binary.evaluate(x, (y > 0).astype("int8")) == \
        pytest.approx(binary.evaluate(x, (y > 0) * 1.0))


def test_functional_model_input_and_output():
    a, b = nnkit.Input((4,), name="a"), nnkit.Input((2,), name="b")
    merged = layers.Concatenate()([a, b])
    out = layers.Dense(1, name="out")(merged)
    model = nnkit.Model([a, b], out)
    assert model.input == [a, b] and model.output is out
    assert model.get_layer("out").input is merged


def test_clone_model_has_the_architecture_and_fresh_weights():
    x, _ = _data()
    model = _classifier()
    clone = nnkit.models.clone_model(model)
    assert [layer.name for layer in clone.layers] == [layer.name for layer in model.layers]
    assert not np.allclose(clone.predict(x), model.predict(x))
    clone.set_weights(model.get_weights())
    np.testing.assert_array_equal(clone.predict(x), model.predict(x))
    inputs = nnkit.Input((4,))
    graph = nnkit.Model(inputs, layers.Dense(2, name="d")(inputs))
    shared = nnkit.models.clone_model(graph, clone_function=lambda layer: layer)
    np.testing.assert_array_equal(shared.predict(x), graph.predict(x))


@pytest.mark.parametrize("cls, learning_rate", [
    (nnkit.optimizers.Adadelta, 0.001), (nnkit.optimizers.Adagrad, 0.001),
    (nnkit.optimizers.Adam, 0.001), (nnkit.optimizers.RMSprop, 0.001),
    (nnkit.optimizers.SGD, 0.01), (nnkit.optimizers.AdamW, 0.001)])
def test_optimizer_defaults_are_kerass(cls, learning_rate):
    optimizer = cls()
    assert optimizer.learning_rate == learning_rate
    assert optimizer.name == cls.__name__.lower()


def test_keras_optimizer_options_are_accepted_at_their_defaults_only():
    nnkit.optimizers.RMSprop(momentum=0.0, centered=False, use_ema=False)
    nnkit.optimizers.Adam(amsgrad=False, name="opt")
    with pytest.raises(nnkit.InvalidArgumentError, match="amsgrad"):
        nnkit.optimizers.Adam(amsgrad=True)
    with pytest.raises(nnkit.InvalidArgumentError, match="use_ema"):
        nnkit.optimizers.SGD(use_ema=True)


def test_missing_names_say_nnkit_does_not_provide_them():
    with pytest.raises(AttributeError, match="nnkit does not provide keras.applications"):
        nnkit.applications
    with pytest.raises(AttributeError, match="nnkit does not provide keras.models.Foo"):
        nnkit.models.Foo
    assert not hasattr(nnkit.models, "Foo")
