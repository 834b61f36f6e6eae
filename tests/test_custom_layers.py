"""Custom layers written the Keras way (``build`` + ``call`` of ops): traced into a graph of
op and layer nodes whose backward is the reverse of the nodes' hand-written backwards.
Checked against numerical gradients in float64 and against the same maths as built-ins."""
import importlib.util
import pathlib

import numpy as np
import pytest

import nnkit
from nnkit import layers, ops
from nnkit.testing import check_gradients

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"


def _example(name):
    """The module of ``examples/<name>.py``: the layers tested are the example's own."""
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


Antirectifier = _example("custom_layer_antirectifier").Antirectifier   # Keras's, as written


class Residual(layers.Layer):
    """Sub-layers, ``training``, operators and a Python branch on a shape."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.dense = layers.Dense(units, activation="tanh")
        self.dropout = layers.Dropout(0.5)
        self.scale = None

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="scale")

    def call(self, inputs, training=None):
        hidden = self.dense(inputs)
        if training:
            hidden = self.dropout(hidden, training=training)
        if inputs.shape[-1] == hidden.shape[-1]:
            hidden = hidden + inputs
        return hidden * self.scale


class MaskedMean(layers.Layer):
    """Consumes a mask in ``call`` (``ops`` on it), as Keras's masked pooling examples."""

    def call(self, inputs, mask=None):
        if mask is None:
            return ops.mean(inputs, axis=1)
        weights = ops.expand_dims(ops.cast(mask, inputs.dtype), -1)
        return ops.sum(inputs * weights, axis=1) / ops.sum(weights, axis=1)


def test_the_antirectifier_has_correct_gradients(float64):
    x = np.random.default_rng(0).normal(size=(5, 4))
    check_gradients(Antirectifier(), x)


def test_the_antirectifier_equals_the_same_maths_in_numpy():
    x = np.random.default_rng(1).normal(size=(6, 3)).astype("float32")
    layer = Antirectifier()
    y = layer(x)
    centred = x - x.mean(axis=-1, keepdims=True)
    expected = np.concatenate([np.maximum(centred, 0), np.maximum(-centred, 0)], -1) @ \
        layer.kernel.numpy()
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)


def test_sub_layers_weights_training_and_shape_branches(float64):
    x = np.random.default_rng(2).normal(size=(4, 3))
    layer = Residual(3)
    check_gradients(layer, x)
    assert sorted(layer.params) == ["dense/bias", "dense/kernel", "scale"]
    assert layer.sublayers() == {"dense": layer.dense, "dropout": layer.dropout}
    nnkit.set_seed(5)
    a = layer(x, training=True)
    nnkit.set_seed(5)
    b = layer(x, training=True)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, layer(x))             # training traces its own graph


def test_a_custom_layer_of_ops_equals_the_built_in_dense(float64):
    class MyDense(layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
            self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

        def call(self, inputs):
            return ops.tanh(inputs @ self.w + self.b)

    x = np.random.default_rng(3).normal(size=(5, 4))
    y = np.random.default_rng(4).normal(size=(5, 2))

    def model(first):
        inputs = nnkit.Input((4,))
        made = nnkit.Model(inputs, layers.Dense(2, name="out")(first(inputs)))
        made.compile("sgd", "mse")
        return made

    nnkit.set_seed(0)
    custom = model(MyDense(3, name="hidden"))
    built_in = model(layers.Dense(3, activation="tanh", name="hidden"))
    built_in.set_weights(custom.get_weights())
    np.testing.assert_allclose(custom.predict(x, verbose=0), built_in.predict(x, verbose=0))
    custom.fit(x, y, epochs=3, batch_size=5, shuffle=False, verbose=0)
    built_in.fit(x, y, epochs=3, batch_size=5, shuffle=False, verbose=0)
    for a, b in zip(custom.get_weights(), built_in.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    check_gradients(custom, x, y)


def test_a_mask_reaches_call_and_its_gradient_flows(float64):
    ids = np.array([[0, 0, 3, 4], [1, 2, 3, 4], [0, 5, 6, 7]])
    inputs = nnkit.Input((None,), dtype="int32")
    pooled = MaskedMean()(layers.Embedding(9, 3, mask_zero=True)(inputs))
    model = nnkit.Model(inputs, layers.Dense(2)(pooled))
    model.compile("sgd", "mse")
    expected = layers.GlobalAveragePooling1D()
    table = model.layers[1].params["embeddings"]
    embedded = table[ids]
    reference = expected(embedded, mask=ids != 0)
    hidden = nnkit.Model(inputs, pooled).predict(ids, verbose=0)
    np.testing.assert_allclose(hidden, reference, rtol=1e-12)
    check_gradients(model, ids, np.ones((3, 2)))


def test_operators_on_symbolic_tensors_record_op_nodes():
    a, b = nnkit.Input((3,)), nnkit.Input((3,))
    out = (a + b) * 2.0 - a / (b ** 2 + 1.0)
    out = out[:, 1:] @ np.ones((2, 4))
    model = nnkit.Model([a, b], out)
    assert {layer.name for layer in model.layers} == {a.node.layer.name, b.node.layer.name}
    x1, x2 = np.random.default_rng(5).normal(size=(2, 6, 3))
    expected = ((x1 + x2) * 2 - x1 / (x2 ** 2 + 1))[:, 1:] @ np.ones((2, 4))
    np.testing.assert_allclose(model.predict([x1, x2], verbose=0), expected, rtol=1e-5)


def test_a_residual_graph_trains_with_gradients_checked(float64):
    inputs = nnkit.Input((4,))
    x = layers.Dense(4, activation="tanh")(inputs)
    x = x + inputs
    x = ops.mean(x * x, axis=-1, keepdims=True)
    model = nnkit.Model(inputs, x)
    model.compile("sgd", "mse")
    data = np.random.default_rng(6).normal(size=(5, 4))
    check_gradients(model, data, np.ones((5, 1)))


def test_a_value_dependent_branch_fails_with_a_clear_error():
    class Branchy(layers.Layer):
        def call(self, inputs):
            if ops.sum(inputs) > 0:
                return inputs
            return -inputs

    with pytest.raises((nnkit.NnkitError, TypeError)):
        Branchy()(np.ones((2, 3)))
