"""Models written the Keras way: a ``Model`` subclass with layers made in ``__init__`` and a
``call()``; and ``Lambda`` layers of registered functions. They train, evaluate, predict,
save and load like graph models, with gradients checked in float64."""
import numpy as np
import pytest

import nnkit
from nnkit import layers, ops
from nnkit.testing import check_gradients


@nnkit.saving.register_serializable(package="tests")
class TwoLayers(nnkit.Model):
    def __init__(self, units=6, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = layers.Dense(units, activation="tanh")
        self.dropout = layers.Dropout(0.3)
        self.out = layers.Dense(3, activation="softmax")

    def call(self, inputs, training=None):
        x = self.hidden(inputs)
        if training:
            x = self.dropout(x, training=training)
        return self.out(x + ops.mean(x, axis=-1, keepdims=True))

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(30, 5)), rng.integers(0, 3, 30)


def test_a_subclassed_model_trains_and_equals_the_same_graph_model():
    x, y = _data()
    nnkit.set_seed(0)
    model = TwoLayers()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=3, batch_size=10, verbose=0)
    assert len(history.history["loss"]) == 3
    assert [layer.name for layer in model.layers] == [model.hidden.name, model.dropout.name,
                                                       model.out.name]
    inputs = nnkit.Input((5,))
    hidden = layers.Dense(6, activation="tanh")(inputs)
    graph = nnkit.Model(inputs, layers.Dense(3, activation="softmax")(
        hidden + ops.mean(hidden, axis=-1, keepdims=True)))
    graph.set_weights(model.get_weights())
    np.testing.assert_allclose(model.predict(x, verbose=0), graph.predict(x, verbose=0),
                               rtol=1e-6)


def test_a_subclassed_model_has_correct_gradients(float64):
    x, y = _data()
    model = TwoLayers()
    model.compile("sgd", "sparse_categorical_crossentropy")
    check_gradients(model, x[:6], y[:6])


def test_a_subclassed_model_saves_and_loads(tmp_path):
    x, y = _data()
    model = TwoLayers(units=4)
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.h5")
    restored = nnkit.load_model(tmp_path / "m.h5")
    assert type(restored) is TwoLayers and restored.units == 4
    np.testing.assert_array_equal(restored.predict(x, verbose=0), model.predict(x, verbose=0))
    model.save_weights(tmp_path / "m.weights.h5")
    other = TwoLayers(units=4)
    other.build((None, 5))
    other.load_weights(tmp_path / "m.weights.h5")
    np.testing.assert_array_equal(other.predict(x, verbose=0), model.predict(x, verbose=0))


def test_giving_inputs_to_a_subclass_is_refused_clearly():
    class WithGraph(nnkit.Model):
        def __init__(self):
            inputs = nnkit.Input((3,))
            super().__init__(inputs, layers.Dense(2)(inputs))

    with pytest.raises(nnkit.InvalidArgumentError, match="call"):
        WithGraph()


@nnkit.saving.register_serializable(package="tests")
def swish(x):
    return x * ops.sigmoid(x)


def test_a_lambda_of_a_registered_function_saves_by_name(tmp_path, float64):
    inputs = nnkit.Input((4,))
    model = nnkit.Model(inputs, layers.Dense(2)(layers.Lambda(swish)(inputs)))
    model.compile("sgd", "mse")
    x = np.random.default_rng(1).normal(size=(5, 4))
    check_gradients(model, x, np.ones((5, 2)))
    model.save(tmp_path / "lambda.h5")
    restored = nnkit.load_model(tmp_path / "lambda.h5")
    np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0))


def test_an_unregistered_lambda_saves_nothing_and_says_why(tmp_path):
    inputs = nnkit.Input((4,))
    model = nnkit.Model(inputs, layers.Lambda(lambda t: t * 2.0)(inputs))
    model.compile("sgd", "mse")
    with pytest.raises(nnkit.CheckpointError, match="not registered"):
        model.save(tmp_path / "x.h5")
    assert not (tmp_path / "x.h5").exists()


def test_custom_objects_resolve_an_unregistered_class_at_load(tmp_path):
    class Doubling(layers.Layer):
        def call(self, inputs):
            return inputs * 2.0

    nnkit.registry.LAYERS.register(Doubling)        # registered while saving only
    inputs = nnkit.Input((3,))
    model = nnkit.Model(inputs, Doubling()(inputs))
    model.compile("sgd", "mse")
    model.save(tmp_path / "d.h5")
    del nnkit.registry.LAYERS._classes["Doubling"]
    with pytest.raises(nnkit.CheckpointError, match="Doubling"):
        nnkit.load_model(tmp_path / "d.h5")
    restored = nnkit.load_model(tmp_path / "d.h5", custom_objects={"Doubling": Doubling})
    np.testing.assert_array_equal(restored.predict(np.ones((2, 3)), verbose=0), 2.0)
