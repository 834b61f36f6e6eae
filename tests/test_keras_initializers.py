"""Keras 3's initializers: the draws' ranges and variances (fans, truncated normal's
correction), orthogonality, seeds and nnkit's generator, names, configs, layers."""
import json
import math

import numpy as np
import pytest

import nnkit
from nnkit import initializers

SHAPE = (300, 200)          # fan_in 300, fan_out 200


@pytest.mark.parametrize("name, limit", [
    ("glorot_uniform", math.sqrt(6 / 500)), ("he_uniform", math.sqrt(6 / 300)),
    ("lecun_uniform", math.sqrt(3 / 300))])
def test_uniform_variance_scaling_limits(name, limit):
    values = initializers.get(name)(SHAPE)
    assert np.abs(values).max() <= limit
    assert np.abs(values).max() > 0.99 * limit
    assert values.std() == pytest.approx(limit / math.sqrt(3), rel=0.02)


@pytest.mark.parametrize("name, variance", [
    ("glorot_normal", 2 / 500), ("he_normal", 2 / 300), ("lecun_normal", 1 / 300)])
def test_truncated_normals_have_the_intended_variance(name, variance):
    values = initializers.get(name)(SHAPE, dtype="float64")
    # Keras divides the stddev by 0.87962566103423978 so that the truncated draws keep it
    assert values.var() == pytest.approx(variance, rel=0.03)
    assert np.abs(values).max() <= 2 * math.sqrt(variance) / 0.87962566103423978


def test_variance_scaling_modes_and_distributions():
    fan_out = initializers.VarianceScaling(3.0, "fan_out", "untruncated_normal")(SHAPE)
    assert fan_out.var() == pytest.approx(3.0 / 200, rel=0.03)
    assert np.abs(fan_out).max() > 2 * math.sqrt(3.0 / 200)      # not truncated
    conv = initializers.VarianceScaling(1.0, "fan_avg", "uniform")((3, 50, 250))
    limit = math.sqrt(3.0 / ((3 * 50 + 3 * 250) / 2))            # the window counts (Keras)
    assert limit * 0.99 < np.abs(conv).max() <= limit
    assert initializers.compute_fans((7,)) == (7, 7)
    assert initializers.compute_fans((3, 3, 4, 8)) == (36, 72)


def test_random_normal_uniform_and_truncated():
    normal = initializers.RandomNormal(mean=1.0, stddev=0.5)(SHAPE, dtype="float64")
    assert normal.mean() == pytest.approx(1.0, abs=0.01) and normal.std() == pytest.approx(0.5,
                                                                                           rel=0.02)
    uniform = initializers.RandomUniform(minval=2.0, maxval=3.0)(SHAPE)
    assert 2.0 <= uniform.min() and uniform.max() < 3.0
    truncated = initializers.TruncatedNormal(stddev=1.0)(SHAPE, dtype="float64")
    assert np.abs(truncated).max() <= 2.0
    assert truncated.std() == pytest.approx(0.87962566103423978, rel=0.02)
    defaults = initializers.RandomUniform().get_config()
    assert (defaults["minval"], defaults["maxval"]) == (-0.05, 0.05)
    assert initializers.RandomNormal().get_config()["stddev"] == 0.05


def test_orthogonal_identity_and_constants():
    for shape in [(6, 6), (10, 4), (3, 4, 5)]:
        matrix = initializers.Orthogonal(gain=2.0)(shape, dtype="float64").reshape(-1, shape[-1])
        np.testing.assert_allclose(matrix.T @ matrix, 4.0 * np.eye(shape[-1]), atol=1e-10)
    wide = initializers.Orthogonal()((4, 7), dtype="float64")
    np.testing.assert_allclose(wide @ wide.T, np.eye(4), atol=1e-10)
    fused = initializers.Orthogonal()((4, 12), dtype="float64")     # one block per gate
    for block in range(3):
        part = fused[:, 4 * block:4 * (block + 1)]
        np.testing.assert_allclose(part.T @ part, np.eye(4), atol=1e-10)
    np.testing.assert_array_equal(initializers.Identity(gain=3.0)((2, 3)),
                                  [[3, 0, 0], [0, 3, 0]])
    np.testing.assert_array_equal(initializers.Constant(0.25)((2, 2)), np.full((2, 2), 0.25))
    np.testing.assert_array_equal(initializers.get("zeros")((3,)), np.zeros(3))
    np.testing.assert_array_equal(initializers.get("Ones")((3,)), np.ones(3))
    assert initializers.Ones()((2,)).dtype == np.float32          # floatx, as Keras
    assert initializers.Ones()((2,), dtype="float64").dtype == np.float64
    with pytest.raises(nnkit.ShapeError, match="Identity"):
        initializers.Identity()((2, 2, 2))
    with pytest.raises(nnkit.ShapeError, match="Orthogonal"):
        initializers.Orthogonal()((5,))


def test_seeds_and_nnkit_generator():
    seeded = initializers.HeNormal(seed=3)
    np.testing.assert_array_equal(seeded((4, 5)), seeded((4, 5)))          # same every call
    np.testing.assert_array_equal(seeded((4, 5)), initializers.HeNormal(seed=3)((4, 5)))
    assert not np.array_equal(seeded((4, 5)), initializers.HeNormal(seed=4)((4, 5)))
    unseeded = initializers.GlorotUniform()
    nnkit.random.set_seed(11)
    first = unseeded((4, 5))
    assert not np.array_equal(first, unseeded((4, 5)))                     # the stream moves
    nnkit.random.set_seed(11)
    np.testing.assert_array_equal(first, unseeded((4, 5)))
    with pytest.raises(nnkit.InvalidArgumentError, match="seed"):
        initializers.RandomNormal(seed=1.5)


def test_get_takes_every_form():
    assert isinstance(initializers.get("he_normal"), initializers.HeNormal)
    assert isinstance(initializers.get("HeNormal"), initializers.HeNormal)
    assert isinstance(initializers.get(initializers.Zeros), initializers.Zeros)
    instance = initializers.Orthogonal(gain=0.5)
    assert initializers.get(instance) is instance
    keras_config = {"module": "keras.initializers", "class_name": "VarianceScaling",
                    "config": {"scale": 2.0, "mode": "fan_out", "distribution": "normal",
                               "seed": 5}, "registered_name": None}
    scaling = initializers.get(keras_config)
    assert (scaling.scale, scaling.mode, scaling.distribution, scaling.seed) == (
        2.0, "fan_out", "truncated_normal", 5)
    legacy = initializers.get(("uniform", {"scale": 0.2}))      # nnkit's saved configs
    assert (legacy.minval, legacy.maxval) == (-0.2, 0.2)
    assert initializers.get(["normal", {"scale": 0.3}]).stddev == 0.3
    assert initializers.get(("orthogonal", {"gain": 1.0})).gain == 1.0

    def custom(shape, dtype=None):
        return np.full(shape, 7.0)
    assert initializers.get(custom) is custom
    with pytest.raises(nnkit.InvalidArgumentError, match="unknown initializer 'he_normall'"):
        initializers.get("he_normall")
    with pytest.raises(nnkit.InvalidArgumentError, match="mode"):
        initializers.VarianceScaling(mode="fan_sum")
    with pytest.raises(nnkit.InvalidArgumentError, match="nope"):
        initializers.get(("glorot_uniform", {"nope": 1}))


@pytest.mark.parametrize("instance", [
    initializers.GlorotUniform(seed=1), initializers.GlorotNormal(), initializers.HeNormal(2),
    initializers.HeUniform(), initializers.LecunNormal(), initializers.LecunUniform(seed=9),
    initializers.RandomNormal(0.5, 2.0, seed=3), initializers.RandomUniform(-1, 2),
    initializers.TruncatedNormal(stddev=0.1, seed=4), initializers.Orthogonal(1.5, seed=6),
    initializers.Identity(2.0), initializers.Constant(0.3), initializers.Zeros(),
    initializers.Ones(), initializers.VarianceScaling(0.5, "fan_avg", "uniform", seed=7)],
    ids=lambda instance: type(instance).__name__)
def test_config_round_trip_through_json(instance):
    stored = json.loads(json.dumps(initializers.serialize(instance)))
    again = initializers.get(stored)
    assert type(again) is type(instance) and again.get_config() == instance.get_config()
    if getattr(instance, "seed", None) is not None or not isinstance(
            instance, initializers.RandomInitializer):
        np.testing.assert_array_equal(again((3, 3)), instance((3, 3)))


def test_layers_take_instances():
    dense = nnkit.Dense(4, kernel_initializer=initializers.Constant(0.5))
    dense.build((3,))
    np.testing.assert_array_equal(dense.get_weights()[0], np.full((3, 4), 0.5))
    seeded = nnkit.Dense(4, kernel_initializer=initializers.HeUniform(seed=2))
    seeded.build((3,))
    np.testing.assert_allclose(seeded.get_weights()[0], initializers.HeUniform(seed=2)((3, 4)))
