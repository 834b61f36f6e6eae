"""Initializer and loss objects survive configs and saving (nnkit ``.h5`` and Keras ``.keras``).

A layer built with an initializer object stores it with ``initializers.serialize``; a
model compiled with a loss object stores its config; both come back from either file
format with their settings, checked against values computed plainly here.
"""
import json
import zipfile

import numpy as np
import pytest

import nnkit
from nnkit import initializers, losses
from nnkit.saving.keras_config_import import layer_spec


def _json_round_trip(layer):
    config = json.loads(json.dumps(layer.get_config()))
    return type(layer).from_config(config), config


def test_dense_with_a_seeded_he_normal_round_trips_and_draws_the_same_kernel():
    layer = nnkit.Dense(50, kernel_initializer=initializers.HeNormal(seed=1))
    loaded, config = _json_round_trip(layer)
    assert config["kernel_initializer"] == {"class_name": "HeNormal", "config": {"seed": 1}}
    assert loaded.get_config()["kernel_initializer"] == config["kernel_initializer"]
    x = np.ones((2, 40))
    layer(x)
    loaded(x)
    kernel = layer.params["kernel"]
    np.testing.assert_array_equal(loaded.params["kernel"], kernel)   # the seed came along
    # He normal: truncated at two stddev, variance 2 / fan_in
    assert np.abs(kernel).max() <= 2 * np.sqrt(2 / 40) / 0.87962566103423978 + 1e-6
    assert abs(kernel.var() - 2 / 40) < 0.2 * (2 / 40)


def test_lstm_with_an_orthogonal_gain_round_trips_and_draws_gain_times_orthogonal_blocks():
    layer = nnkit.LSTM(5, recurrent_initializer=initializers.Orthogonal(gain=2.0))
    loaded, config = _json_round_trip(layer)
    assert config["recurrent_initializer"] == {"class_name": "Orthogonal",
                                               "config": {"seed": None, "gain": 2.0}}
    assert config["kernel_initializer"] == "glorot_uniform"
    assert loaded.get_config() == config
    loaded(np.ones((2, 3, 4)))
    recurrent = loaded.params["recurrent_kernel"].astype("float64")       # (H, 4H)
    for gate in range(4):
        block = recurrent[:, 5 * gate:5 * (gate + 1)]
        np.testing.assert_allclose(block.T @ block, 4.0 * np.eye(5), atol=1e-5)


def test_embedding_with_a_wider_random_uniform_round_trips_and_draws_in_its_range():
    layer = nnkit.Embedding(200, 50, embeddings_initializer=initializers.RandomUniform(-0.1, 0.1))
    loaded, config = _json_round_trip(layer)
    assert config["embeddings_initializer"] == {
        "class_name": "RandomUniform", "config": {"seed": None, "minval": -0.1, "maxval": 0.1}}
    assert loaded.get_config() == config
    loaded(np.zeros((1, 1), dtype="int64"))
    table = loaded.params["embeddings"]
    assert np.abs(table).max() <= 0.1 and np.abs(table).max() > 0.09     # not Keras's 0.05


@pytest.mark.parametrize("stored,limit", [
    ("ones", None), (("uniform", {"scale": 0.2}), 0.2), (["uniform", {"scale": 0.3}], 0.3),
])
def test_old_initializer_configs_keep_loading(stored, limit):
    layer = nnkit.Dense.from_config({"units": 40, "kernel_initializer": stored})
    assert layer.get_config()["kernel_initializer"] == stored
    layer(np.ones((2, 30)))
    kernel = layer.params["kernel"]
    if limit is None:
        np.testing.assert_array_equal(kernel, np.ones((30, 40)))
    else:
        assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.9 * limit


def test_weights_are_drawn_in_the_layers_dtype(float64):
    seen = []

    def ones(shape, dtype=None):
        seen.append(dtype)
        return np.ones(shape, dtype=dtype)
    layer = nnkit.Dense(2, kernel_initializer=ones, bias_initializer=initializers.Constant(0.5))
    layer(np.ones((1, 3)))
    assert seen == ["float64"] and layer.params["kernel"].dtype == np.float64
    np.testing.assert_array_equal(layer.params["bias"], [0.5, 0.5])


def test_an_unknown_initializer_names_the_layer_and_weight():
    with pytest.raises(nnkit.InvalidArgumentError, match="layer 'd'.*kernel.*'he_normall'"):
        nnkit.Dense(2, kernel_initializer="he_normall", name="d")(np.ones((1, 3)))


# ---- losses through saving ------------------------------------------------------------
def _huber(prediction, target, delta):
    error = np.abs(prediction - target)
    values = np.where(error <= delta, 0.5 * error ** 2, delta * error - 0.5 * delta ** 2)
    return values.mean(axis=-1).mean()


def _crossentropy_from_logits(logits, target):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return -(target * log_softmax).sum(axis=-1).mean()


LOSS_CASES = {
    "huber_delta_2": (lambda: losses.Huber(delta=2.0), lambda p, y: _huber(p, y, 2.0)),
    "crossentropy_from_logits": (lambda: losses.CategoricalCrossentropy(from_logits=True),
                                 _crossentropy_from_logits),
}


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 3)) * 3.0
    y = np.eye(4)[rng.integers(0, 4, 16)] * 4.0 - 1.0   # errors well past delta = 1
    return x, y


@pytest.mark.parametrize("suffix", [".h5", ".keras"])
@pytest.mark.parametrize("case", sorted(LOSS_CASES))
def test_a_loss_object_comes_back_with_its_settings(tmp_path, case, suffix):
    make_loss, reference = LOSS_CASES[case]
    x, y = _data()
    if case == "crossentropy_from_logits":
        y = (y > 0).astype("float64")
    model = nnkit.Sequential([nnkit.Input((3,)), nnkit.Dense(
        4, kernel_initializer=initializers.HeNormal(seed=3))])
    model.compile("sgd", make_loss())
    model.save(tmp_path / f"model{suffix}")
    loaded = nnkit.load_model(tmp_path / f"model{suffix}")
    assert loaded.losses[0].get_config() == model.losses[0].get_config()
    expected = reference(model.predict(x, verbose=0).astype("float64"), y)
    assert loaded.evaluate(x, y, verbose=0) == pytest.approx(expected, rel=1e-5)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(expected, rel=1e-5)


def test_keras_archives_hold_initializers_and_losses_as_keras_writes_them(tmp_path):
    model = nnkit.Sequential([nnkit.Input((5, 3)), nnkit.LSTM(
        4, recurrent_initializer=initializers.Orthogonal(gain=2.0)), nnkit.Dense(2)])
    model.compile("adam", losses.Huber(delta=2.0))
    model.save(tmp_path / "model.keras")
    with zipfile.ZipFile(tmp_path / "model.keras") as archive:
        config = json.loads(archive.read("config.json"))
    assert config["compile_config"]["loss"] == {
        "module": "keras.losses", "class_name": "Huber", "registered_name": None,
        "config": {"name": "huber_loss", "reduction": "sum_over_batch_size", "delta": 2.0}}
    lstm = config["config"]["layers"][1]["config"]
    assert lstm["recurrent_initializer"] == {
        "module": "keras.initializers", "class_name": "Orthogonal", "registered_name": None,
        "config": {"seed": None, "gain": 2.0}}
    assert lstm["kernel_initializer"]["class_name"] == "GlorotUniform"
    assert lstm["bias_initializer"]["class_name"] == "Zeros"


@pytest.mark.parametrize("compiled,written", [
    ("mse", "mean_squared_error"), ("huber", {"module": "keras.losses", "class_name": "Huber"}),
])
def test_a_named_loss_is_written_as_a_name_keras_reads(tmp_path, compiled, written):
    model = nnkit.Sequential([nnkit.Input((3,)), nnkit.Dense(2)])
    model.compile("sgd", compiled)
    model.save(tmp_path / "model.keras")
    with zipfile.ZipFile(tmp_path / "model.keras") as archive:
        loss = json.loads(archive.read("config.json"))["compile_config"]["loss"]
    if isinstance(written, str):
        assert loss == written
    else:                               # Keras has no name "huber_loss": written as the object
        assert {key: loss[key] for key in written} == written


def test_several_outputs_keep_their_loss_objects_in_nnkit_files(tmp_path):
    inputs = nnkit.Input((3,))
    model = nnkit.Model(inputs, [nnkit.Dense(2, name="a")(inputs),
                                 nnkit.Dense(4, name="b")(inputs)])
    model.compile("sgd", [losses.Huber(delta=2.0),
                          losses.CategoricalCrossentropy(from_logits=True)])
    model.save(tmp_path / "model.h5")
    loaded = nnkit.load_model(tmp_path / "model.h5")
    assert [loss.get_config() for loss in loaded.losses] == \
        [loss.get_config() for loss in model.losses]


def _rewrite_compile_config(path, loss):
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(members["config.json"])
    config["compile_config"]["loss"] = loss
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_keras_losses_from_logits_and_keras2_reductions_are_read(tmp_path):
    model = nnkit.Sequential([nnkit.Input((3,)), nnkit.Dense(4)])
    model.compile("sgd", "categorical_crossentropy")
    path = tmp_path / "model.keras"
    model.save(path)
    _rewrite_compile_config(path, {
        "class_name": "CategoricalCrossentropy", "config": {
            "reduction": "auto", "name": "categorical_crossentropy", "from_logits": True,
            "label_smoothing": 0.0, "axis": -1}})
    loaded = nnkit.load_model(path)
    assert loaded.losses[0].from_logits and loaded.losses[0].reduction == "sum_over_batch_size"
    x, y = _data()
    y = (y > 0).astype("float64")
    expected = _crossentropy_from_logits(loaded.predict(x, verbose=0).astype("float64"), y)
    assert loaded.evaluate(x, y, verbose=0) == pytest.approx(expected, rel=1e-5)


# ---- Keras configs' initializers ---------------------------------------------------------
def _keras_dense(initializer):
    return {"module": "keras.layers", "class_name": "Dense", "config": {
        "name": "dense", "units": 3, "kernel_initializer": initializer}}


def test_keras3_initializer_configs_are_read_into_nnkit_initializers():
    keras3 = {"module": "keras.initializers", "class_name": "GlorotUniform",
              "registered_name": None,
              "config": {"seed": 7, "input_axes": None, "output_axes": None}}
    spec = layer_spec(_keras_dense(keras3))
    assert spec["config"]["kernel_initializer"] == {"class_name": "GlorotUniform",
                                                    "config": {"seed": 7}}
    scaled = {"class_name": "VarianceScaling",
              "config": {"scale": 3.0, "mode": "fan_out", "distribution": "uniform"}}
    assert layer_spec(_keras_dense(scaled))["config"]["kernel_initializer"]["config"] == {
        "seed": None, "scale": 3.0, "mode": "fan_out", "distribution": "uniform"}


@pytest.mark.parametrize("initializer,words", [
    ({"class_name": "GlorotUniform", "config": {"input_axes": [0]}}, ["input_axes", "[0]"]),
    ({"class_name": "STFT", "config": {}}, ["kernel_initializer", "STFT"]),
    (None, ["kernel_initializer", "None"]),
])
def test_keras_initializers_nnkit_cannot_read_are_refused_by_name(initializer, words):
    with pytest.raises(nnkit.CheckpointError) as error:
        layer_spec(_keras_dense(initializer))
    assert all(word in str(error.value) for word in ["layer 'dense'", *words])
