"""LayerNormalization and BatchNormalization: references, float64 gradients, masks, moving statistics."""
import numpy as np
import pytest

import nnkit
from nnkit.testing import check_gradients, check_padding_invariance


def ragged_mask(lengths, steps):
    return np.arange(steps)[None, :] < np.asarray(lengths)[:, None]


@pytest.mark.parametrize("kwargs", [{}, dict(center=False), dict(scale=False),
                                    dict(axis=[1, 2], epsilon=1e-5)])
def test_layer_norm_gradients(kwargs, float64):
    x = np.random.default_rng(0).normal(size=(3, 4, 5))
    layer = nnkit.LayerNormalization(**kwargs)
    layer.build(x.shape[1:])
    layer.set_weights([np.random.default_rng(1).normal(size=w.shape) for w in layer.get_weights()])
    # atol: the standardised outputs sum to ~0, so L's round-off (~1e-10) dominates small entries
    check_gradients(layer, x, atol=1e-8)


def test_layer_norm_normalises_each_step():
    x = np.random.default_rng(2).normal(3.0, 2.0, size=(2, 6, 8))
    y = nnkit.LayerNormalization(epsilon=0.0)(x)
    np.testing.assert_allclose(y.mean(axis=-1), 0.0, atol=1e-6)
    np.testing.assert_allclose(y.std(axis=-1), 1.0, atol=1e-5)


@pytest.mark.parametrize("shape, axis", [((6, 4), -1), ((3, 4, 5), -1), ((2, 3, 4, 2), -1),
                                         ((3, 4, 5), 1)])
def test_batch_norm_training_gradients(shape, axis, float64):
    x = np.random.default_rng(3).normal(size=shape)
    layer = nnkit.BatchNormalization(axis=axis)
    layer.build(x.shape[1:])
    gamma, beta, mean, variance = layer.get_weights()
    layer.set_weights([gamma + 0.5, beta - 0.2, mean, variance])
    errors = check_gradients(layer, x)
    assert set(errors) == {"x", "gamma", "beta"}        # moving statistics are not trained


def test_batch_norm_masked_gradients_and_valid_step_statistics(float64):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(4, 6, 3))
    mask = ragged_mask([6, 3, 1, 0], 6)
    layer = nnkit.BatchNormalization(momentum=0.0, epsilon=0.0)
    check_gradients(layer, x, mask=mask)
    layer(x, training=True, mask=mask)
    valid = x[mask]
    np.testing.assert_allclose(layer.get_weights()[2], valid.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(layer.get_weights()[3], valid.var(axis=0), rtol=1e-12)


def test_batch_norm_moving_statistics_and_inference():
    x = np.random.default_rng(5).normal(2.0, 3.0, size=(64, 4)).astype("float32")
    layer = nnkit.BatchNormalization(momentum=0.5)
    layer(x, training=True)
    _, _, mean, variance = layer.get_weights()
    np.testing.assert_allclose(mean, 0.5 * x.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(variance, 0.5 + 0.5 * x.var(axis=0), rtol=1e-5)
    expected = (x - mean) / np.sqrt(variance + 1e-3)
    np.testing.assert_allclose(layer(x), expected, rtol=1e-5, atol=1e-5)


def test_batch_norm_moving_statistics_are_saved_and_never_trained(tmp_path):
    rng = np.random.default_rng(6)
    x = rng.normal(1.0, 2.0, size=(32, 5))
    y = (x[:, 0] > 1).astype(int)
    model = nnkit.Sequential([nnkit.Dense(4, input_shape=(5,)), nnkit.BatchNormalization(),
                              nnkit.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    assert not any("moving" in name for name in model.named_parameters())
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    model.save(tmp_path / "bn.h5")
    restored = nnkit.load_model(tmp_path / "bn.h5")
    for a, b in zip(model.get_weights(), restored.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not np.allclose(model.layers[1].get_weights()[2], 0.0)
    np.testing.assert_array_equal(model.predict(x), restored.predict(x))


def test_normalization_is_padding_invariant_in_a_masked_model():
    rng = np.random.default_rng(7)
    x = rng.integers(1, 20, size=(6, 8))
    x[:, 5:] = 0
    y = rng.integers(0, 2, size=6)
    model = nnkit.Sequential([nnkit.Embedding(20, 4, mask_zero=True),
                              nnkit.LayerNormalization(), nnkit.BatchNormalization(),
                              nnkit.LSTM(3), nnkit.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    check_padding_invariance(model, x, y)


@pytest.mark.parametrize("make, match", [
    (lambda: nnkit.BatchNormalization(momentum=1.5), "momentum"),
    (lambda: nnkit.BatchNormalization(axis=[1, 2]), "axis must be one integer"),
])
def test_bad_arguments(make, match):
    with pytest.raises(nnkit.InvalidArgumentError, match=match):
        make()


def test_axis_outside_the_input_is_refused():
    with pytest.raises(nnkit.InvalidArgumentError, match="non-batch axes"):
        nnkit.LayerNormalization(axis=3)(np.ones((2, 4)))
    with pytest.raises(nnkit.InvalidArgumentError, match="non-batch axes"):
        nnkit.BatchNormalization(axis=0)(np.ones((2, 4)))


def test_batch_norm_mask_on_a_non_sequence_is_refused():
    layer = nnkit.BatchNormalization(axis=1, name="bn")
    with pytest.raises(nnkit.ShapeError, match="bn.*mask needs an \\(N, T, C\\)"):
        layer(np.ones((2, 3, 4)), training=True, mask=np.ones((2, 3), bool))
