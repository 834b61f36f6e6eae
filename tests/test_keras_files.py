"""Keras's own files: Keras-made models load in nnkit and predict what Keras predicted;
nnkit writes .keras/.weights.h5 files that load back (and, where Keras is installed, in Keras);
hostile archives are refused with CheckpointError.

The fixtures are written by ``tests/fixtures/make_keras_files.py`` with Keras 3 (JAX) and
tf-keras 2 in separate virtual environments; neither is needed here.
"""
import json
import pathlib
import zipfile

import numpy as np
import pytest

import nnkit
from nnkit.saving import keras_archive as archive

FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures" / "keras_files"
CASES = sorted(path.stem for path in FIXTURES.glob("*.npz"))
MODEL_FILES = [(case, suffix) for case in CASES
               for suffix in ((".keras", ".legacy.h5") if case.startswith("keras3")
                              else (".h5",))]
WEIGHT_FILES = [(case, ".weights.h5" if case.startswith("keras3") else ".weights_only.h5")
                for case in CASES]


def fixture(case, folder=FIXTURES):
    """``(inputs, expected outputs)`` of fixture ``case`` (``x0, x1, ...``, ``y0, ...``)."""
    arrays = dict(np.load(folder / f"{case}.npz"))
    count = len([key for key in arrays if key.startswith("x")])
    return ([arrays[f"x{i}"] for i in range(count)],
            [arrays[f"y{i}"] for i in range(len([k for k in arrays if k.startswith("y")]))])


def predictions(model, inputs):
    out = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
    return out if isinstance(out, list) else [out]


def assert_predicts(model, case, folder=FIXTURES, atol=2e-6):
    inputs, expected = fixture(case, folder)
    got = predictions(model, inputs)
    assert len(got) == len(expected)
    for value, want in zip(got, expected):
        assert value.shape == want.shape
        np.testing.assert_allclose(value, want, rtol=1e-5, atol=atol)


def test_readme_table_lists_every_keras_class_read():
    from nnkit.saving.keras_catalogue import LAYER_CLASSES
    readme = (FIXTURES.parents[2] / "README.md").read_text()
    assert all(f"| {name} | " in readme for name in LAYER_CLASSES)


def test_every_flavour_and_the_example_models_are_present():
    assert {"keras3_imdb_lstm", "keras3_imdb_cnn", "keras2_imdb_lstm", "keras3_merges",
            "keras2_tokens_and_features", "keras3_conv2d_batchnorm"} <= set(CASES)


@pytest.mark.parametrize("case,suffix", MODEL_FILES, ids=[c + s for c, s in MODEL_FILES])
def test_keras_model_files_predict_as_keras(case, suffix):
    model = nnkit.load_model(FIXTURES / f"{case}{suffix}")
    assert_predicts(model, case)


@pytest.mark.parametrize("case,weights", WEIGHT_FILES, ids=[c for c, _ in WEIGHT_FILES])
def test_keras_weight_files_load_into_the_same_architecture(case, weights):
    source = FIXTURES / (f"{case}.keras" if case.startswith("keras3") else f"{case}.h5")
    loaded = nnkit.load_model(source, compile=False)
    fresh = type(loaded).from_config(loaded.get_config())      # same architecture, new weights
    assert not all(np.array_equal(a, b) for a, b in zip(fresh.get_weights(),
                                                        loaded.get_weights()))
    fresh.load_weights(FIXTURES / f"{case}{weights}")
    assert_predicts(fresh, case)


def test_compile_settings_come_along():
    model = nnkit.load_model(FIXTURES / "keras3_imdb_lstm.keras")
    assert type(model.optimizer).__name__ == "Adam"
    assert model.losses[0].name == "sparse_categorical_crossentropy"
    assert "accuracy" in model.metrics_names
    legacy = nnkit.load_model(FIXTURES / "keras2_imdb_cnn.h5")
    assert type(legacy.optimizer).__name__ == "SGD"
    assert legacy.losses[0].name == "binary_crossentropy"
    inputs, _ = fixture("keras3_imdb_lstm")
    history = model.fit(inputs[0], np.array([0, 1, 0, 1]), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_keras_layer_names_and_masks_come_along():
    path = FIXTURES / "keras3_tokens_and_features.keras"
    model = nnkit.load_model(path)
    with zipfile.ZipFile(path) as source:
        config = json.loads(source.read("config.json"))
    stored = [layer["name"] for layer in config["config"]["layers"]
              if not layer["name"].startswith("not_equal")]      # Keras's mask operations
    assert [layer.name for layer in model.layers] == stored
    embedding = next(layer for layer in model.layers if type(layer).__name__ == "Embedding")
    assert embedding.mask_zero


def test_load_weights_names_the_first_layer_whose_shapes_differ(tmp_path):
    model = nnkit.Sequential([nnkit.Embedding(30, 6, mask_zero=True), nnkit.LSTM(7, name="lstm"),
                              nnkit.Dense(2, activation="softmax")])
    model.build((None,))
    with pytest.raises(nnkit.CheckpointError, match="lstm"):
        model.load_weights(FIXTURES / "keras3_imdb_lstm.weights.h5")
    with pytest.raises(nnkit.CheckpointError, match="layer 'lstm'.*file has \\(6, 20\\)"):
        model.load_weights(FIXTURES / "keras2_imdb_lstm.weights_only.h5")


def _round_trip(model, inputs, tmp_path):
    expected = predictions(model, inputs)
    model.save(tmp_path / "model.keras")
    loaded = nnkit.load_model(tmp_path / "model.keras")
    for got, want in zip(predictions(loaded, inputs), expected):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    model.save_weights(tmp_path / "model.weights.h5")
    copy = type(model).from_config(model.get_config())
    copy.load_weights(tmp_path / "model.weights.h5")
    for got, want in zip(predictions(copy, inputs), expected):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("case", [c for c in CASES if c.startswith("keras3")])
def test_nnkit_written_keras_files_load_back(case, tmp_path):
    model = nnkit.load_model(FIXTURES / f"{case}.keras")
    _round_trip(model, fixture(case)[0], tmp_path)


def test_saving_refuses_layers_keras_lacks_and_writes_nothing(tmp_path):
    model = nnkit.Sequential([nnkit.Dense(4, input_shape=(3,)), nnkit.TopKSoftmax(2)])
    model.build((3,))
    with pytest.raises(nnkit.CheckpointError, match="top_k_softmax.*TopKSoftmax"):
        model.save(tmp_path / "model.keras")
    stacked = nnkit.Sequential([nnkit.StackedCells(3, [4, 4], input_shape=(5, 3))])
    stacked.build((5, 3))
    with pytest.raises(nnkit.CheckpointError, match="StackedCells"):
        stacked.save(tmp_path / "model.keras")
    assert list(tmp_path.iterdir()) == []


# ---- hostile archives ------------------------------------------------------------------
def _rewrite(source, target, config=None, extra=()):
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as out:
        for info in original.infolist():
            data = original.read(info)
            if info.filename == "config.json" and config is not None:
                data = json.dumps(config(json.loads(data))).encode()
            out.writestr(info.filename, data)
        for name, data in extra:
            out.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
    return target


SOURCE = FIXTURES / "keras3_mlp.keras"


def _with_layer(config, layer):
    config["config"]["layers"].insert(2, layer)
    return config


@pytest.mark.parametrize("hostile", [
    pytest.param(lambda t: _rewrite(SOURCE, t, extra=[("../escape.txt", b"x")]), id="dotdot"),
    pytest.param(lambda t: _rewrite(SOURCE, t, extra=[("/etc/passwd", b"x")]), id="absolute"),
    pytest.param(lambda t: _rewrite(SOURCE, t, config=lambda c: _with_layer(c, {
        "module": "keras.layers", "class_name": "Lambda", "config": {
            "name": "lambda", "function": {"class_name": "__lambda__", "config": {
                "code": "4wEAAAAAAAAA", "defaults": None, "closure": None}}}})), id="lambda"),
    pytest.param(lambda t: _rewrite(SOURCE, t, config=lambda c: _with_layer(c, {
        "module": "os", "class_name": "system", "config": {"command": "touch pwned"}})),
        id="unknown-class"),
    pytest.param(lambda t: _rewrite(SOURCE, t, config=lambda c: {
        **c, "config": {**c["config"], "layers": [c["config"]["layers"][0], {
            **c["config"]["layers"][1], "config": {
                **c["config"]["layers"][1]["config"], "activation": {
                    "module": "builtins", "class_name": "function", "config": "eval",
                    "registered_name": "function"}}}] + c["config"]["layers"][2:]}}),
        id="function-activation"),
    pytest.param(lambda t: t.write_bytes(b"PK\x03\x04 this is not a zip") or t, id="garbage"),
    pytest.param(lambda t: t.write_bytes(SOURCE.read_bytes()[:300]) or t, id="truncated"),
])
def test_hostile_archives_are_refused(hostile, tmp_path):
    path = hostile(tmp_path / "hostile.keras")
    with pytest.raises(nnkit.CheckpointError):
        nnkit.load_model(path)
    assert not (tmp_path / "pwned").exists()


@pytest.mark.filterwarnings("ignore:Duplicate name")     # the bomb is a second weights member
def test_a_member_that_inflates_too_far_is_refused_before_reading(tmp_path, monkeypatch):
    path = _rewrite(SOURCE, tmp_path / "bomb.keras")
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as out:
        out.writestr("model.weights.h5", b"\0" * (8 << 20))    # a second, 1000x member
    with pytest.raises(nnkit.CheckpointError, match="inflates"):
        nnkit.load_model(path)
    monkeypatch.setattr(archive, "MAX_JSON_BYTES", 100)
    with pytest.raises(nnkit.CheckpointError, match="declares"):
        nnkit.load_model(SOURCE)


def test_a_keras_h5_with_an_external_link_is_refused(tmp_path):
    import h5py
    path = tmp_path / "linked.h5"
    path.write_bytes((FIXTURES / "keras2_mlp.h5").read_bytes())
    with h5py.File(path, "a") as file:
        name = list(file["model_weights"].attrs["layer_names"])[0]
        name = name.decode() if isinstance(name, bytes) else name
        del file[f"model_weights/{name}"]
        file[f"model_weights/{name}"] = h5py.ExternalLink("/etc/passwd", "/x")
    with pytest.raises(nnkit.CheckpointError, match="ExternalLink|only hard links"):
        nnkit.load_model(path)


# ---- Keras opens nnkit's files (only where Keras is installed) ---------------------------
def real_keras():
    keras = pytest.importorskip("keras")
    if not hasattr(keras, "saving"):      # tests/fixtures/keras on the path is not Keras
        pytest.skip("Keras is not installed")
    return keras


@pytest.mark.parametrize("case", [c for c in CASES if c.startswith("keras3")])
def test_keras_opens_nnkit_written_archives(case, tmp_path):
    keras = real_keras()
    model = nnkit.load_model(FIXTURES / f"{case}.keras")
    model.save(tmp_path / "nnkit.keras")
    inputs, expected = fixture(case)
    reloaded = keras.saving.load_model(tmp_path / "nnkit.keras")
    out = reloaded.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
    for got, want in zip(out if isinstance(out, (list, tuple)) else [out], expected):
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=2e-6)


def _native_models():
    sequential = nnkit.Sequential([
        nnkit.Embedding(30, 6, mask_zero=True),
        nnkit.Bidirectional(nnkit.GRU(4, return_sequences=True)),
        nnkit.GlobalAveragePooling1D(),
        nnkit.Dense(2, activation="softmax", kernel_regularizer=nnkit.regularizers.L2(0.01))])
    sequential.build((None,))
    sequential.compile(nnkit.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                       metrics=["accuracy"])
    tok, feat = nnkit.Input((None,), dtype="int32", name="tok"), nnkit.Input((3,), name="feat")
    words = nnkit.LSTM(4)(nnkit.Embedding(30, 5, mask_zero=True)(tok))
    joined = nnkit.Concatenate()([words, nnkit.Dense(2, activation="relu")(feat)])
    graph = nnkit.Model([tok, feat], nnkit.Dense(1, activation="sigmoid")(joined))
    x = np.array([[3, 4, 5, 0], [7, 8, 0, 0]], dtype="int32")
    return [(sequential, [x]), (graph, [x, np.ones((2, 3), "float32")])]


def test_keras_opens_archives_of_models_built_in_nnkit(tmp_path):
    keras = real_keras()
    for model, inputs in _native_models():
        model.save(tmp_path / "native.keras")
        reloaded = keras.saving.load_model(tmp_path / "native.keras")
        np.testing.assert_allclose(np.asarray(reloaded.predict(
            inputs if len(inputs) > 1 else inputs[0], verbose=0)),
            predictions(model, inputs)[0], rtol=1e-5, atol=2e-6)


def test_archives_of_models_built_in_nnkit_load_back(tmp_path):
    for model, inputs in _native_models():
        _round_trip(model, inputs, tmp_path)
