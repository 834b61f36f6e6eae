"""Edge cases of traced call() layers and subclassed models found in review: weights read
without a call, sub-layers named alike, frozen sub-layers, stateful sub-layers, weights
passed to sub-layers, operators on weights, string inputs and refused arguments."""
import numpy as np
import pytest

import nnkit
from nnkit import layers, ops


def _train_once(model, x, y):
    model.compile(nnkit.optimizers.SGD(0.5), "mse")
    before = [w.copy() for w in model.get_weights()]
    model.fit(x, y, epochs=1, batch_size=len(x), verbose=0)
    return before, model.get_weights()


def test_a_weight_only_read_in_call_is_trained_and_saved():
    class ReadsOnly(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.inner = layers.Dense(3)
            self.inner.build((3,))

        def call(self, x):
            return ops.matmul(x, self.inner.kernel)

    inputs = nnkit.Input((3,))
    model = nnkit.Model(inputs, ReadsOnly()(inputs))
    x = np.random.default_rng(0).normal(size=(4, 3))
    before, after = _train_once(model, x, np.ones((4, 3)))
    assert len(after) == 2 and not np.allclose(before[0], after[0])


def test_sub_layers_named_alike_keep_all_their_weights():
    class Blocks(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.blocks = [layers.Dense(4, name="dense"), layers.Dense(4, name="mid")]
            self.dense = layers.Dense(2)

        def call(self, x):
            for block in self.blocks:
                x = block(x)
            return self.dense(x)

    layer = Blocks()
    layer(np.ones((2, 3)))
    assert len(layer.params) == 6
    assert len({id(array) for array in layer.params.values()}) == 6


def test_a_frozen_sub_layer_is_not_trained():
    class TwoDense(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.d1 = layers.Dense(3)
            self.d2 = layers.Dense(2)

        def call(self, x):
            return self.d2(self.d1(x))

    inputs = nnkit.Input((3,))
    block = TwoDense()
    model = nnkit.Model(inputs, block(inputs))
    block.d1.trainable = False
    x = np.random.default_rng(1).normal(size=(4, 3))
    before, after = _train_once(model, x, np.ones((4, 2)))
    np.testing.assert_array_equal(before[0], after[0])         # d1's kernel
    assert not np.allclose(before[2], after[2])                  # d2's kernel


def test_a_weight_given_to_a_sub_layer_keeps_its_gradient():
    class Projected(layers.Layer):
        def build(self, input_shape):
            self.q = self.add_weight(shape=(1, input_shape[-1]), name="q")
            self.proj = layers.Dense(input_shape[-1])

        def call(self, x):
            return x + self.proj(self.q)

    inputs = nnkit.Input((3,))
    model = nnkit.Model(inputs, Projected()(inputs))
    x = np.random.default_rng(2).normal(size=(4, 3))
    before, after = _train_once(model, x, np.zeros((4, 3)))
    assert not np.allclose(before[0], after[0])


def test_operators_work_on_weights():
    class Scaled(layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

        def call(self, x):
            return x * (self.w * 2.0) - self.w[0]

    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(Scaled()(x), x * 2.0 - 1.0)


def test_keyword_arguments_and_a_second_positional_input_are_refused_by_name():
    class Scale(layers.Layer):
        def call(self, x, scale=1.0):
            return x * scale

    with pytest.raises(nnkit.InvalidArgumentError, match="keyword arguments"):
        Scale()(np.ones((2, 2)), scale=3.0)
    with pytest.raises(nnkit.InvalidArgumentError, match="training must be"):
        Scale()(np.ones((2, 2)), np.ones((2, 2)))


def test_a_subclassed_model_with_a_stateful_lstm_fits():
    class Streaming(nnkit.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.lstm = layers.LSTM(4, stateful=True)
            self.out = layers.Dense(1)

        def call(self, x):
            return self.out(self.lstm(x))

    model = Streaming()
    model.compile("sgd", "mse")
    x = np.random.default_rng(3).normal(size=(8, 5, 2))
    model.fit(x, np.ones((8, 1)), batch_size=4, shuffle=False, epochs=1, verbose=0)
    assert model.predict(x[:4], batch_size=4, verbose=0).shape == (4, 1)


def test_unknown_model_arguments_are_refused():
    class Plain(nnkit.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.out = layers.Dense(1)

        def call(self, x):
            return self.out(x)

    with pytest.raises(nnkit.InvalidArgumentError, match="unexpected arguments"):
        Plain(foo=1)
    model = Plain()
    model.predict(np.ones((2, 3)), verbose=0)
    with pytest.raises(nnkit.CheckpointError, match="Model subclass"):
        model.save("never_written.keras")


def test_an_explicit_training_flag_is_never_dropped():
    inputs = nnkit.Input((3,))
    with pytest.raises(nnkit.InvalidArgumentError, match="training=False on a symbolic call"):
        layers.Dropout(0.5)(inputs, training=False)

    class InferenceOnlyDropout(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.drop = layers.Dropout(0.5)

        def call(self, x, training=None):
            return self.drop(x, training=False)

    layer = InferenceOnlyDropout()
    np.testing.assert_array_equal(layer(np.ones((2, 3))), 1.0)       # inference trace: fine
    with pytest.raises(nnkit.InvalidArgumentError, match="differs from the call's own"):
        layer(np.ones((2, 3)), training=True)
