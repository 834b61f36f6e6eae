"""Keras files whose graphs hold op nodes (``x + y``, ``ops.mean``, ``x[:, 0]``, a Lambda of a
registered function): they load into nnkit's op nodes and predict what Keras predicted; code
in a file is refused; nnkit writes op nodes as Keras does, so its files load back.

The fixtures are written by ``tests/fixtures/make_keras_op_files.py`` with Keras 3.15 (JAX);
Keras is not needed here (the test that opens nnkit's files in Keras skips without it).
"""
import json
import pathlib
import zipfile

import numpy as np
import pytest

import nnkit
from nnkit import ops
from tests import test_keras_files as keras_files
from tests.test_keras_files import assert_predicts, predictions

FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures" / "keras_files" / "ops"
COMPUTED = ["residual", "mean_and_slices", "concatenate_matmul_softmax", "lambda_registered"]


@nnkit.saving.register_serializable(package="nnkit_tests")
def scaled_tanh(x, scale=1.0):
    """nnkit's twin of the fixture script's Keras function of the same registered name."""
    return ops.tanh(x) * scale


def fixture(case):
    return keras_files.fixture(case, FIXTURES)


def keras_config(path):
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("config.json"))


def rewritten(path, tmp_path, change):
    """A copy of the archive at ``path`` whose config.json is ``change(config)``."""
    target = tmp_path / path.name
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w") as copy:
        for item in source.namelist():
            data = source.read(item)
            if item == "config.json":
                data = json.dumps(change(json.loads(data))).encode()
            copy.writestr(item, data)
    return target


def entry(config, name):
    return next(layer for layer in config["config"]["layers"] if layer["name"] == name)


@pytest.mark.parametrize("case", COMPUTED)
def test_keras_files_with_op_nodes_predict_as_keras(case):
    assert_predicts(nnkit.load_model(FIXTURES / f"{case}.keras"), case, FIXTURES, atol=1e-5)


def test_op_nodes_load_as_nnkit_ops_with_keras_arguments():
    model = nnkit.load_model(FIXTURES / "mean_and_slices.keras")
    nodes = {layer.name: layer for layer in model.operations}
    assert type(nodes["mean"].op).__name__ == "Mean" and nodes["mean"].op.axis == 1
    assert nodes["mean_1"].op.keepdims is True
    assert nodes["get_item_1"].op.key == (Ellipsis, slice(1, 3, None), None)
    assert nodes["get_item_2"].op.key == (slice(None), slice(None, None, -1), -1)
    assert [type(layer).__name__ for layer in model.layers] == ["InputLayer", "Dense"]


def test_the_custom_objects_function_is_the_one_run():
    def doubled(x, scale=1.0):
        return ops.tanh(x) * scale * 2.0

    model = nnkit.load_model(FIXTURES / "lambda_registered.keras",
                             custom_objects={"nnkit_tests>scaled_tanh": doubled})
    inputs, expected = fixture("lambda_registered")
    np.testing.assert_allclose(predictions(model, inputs)[0], 2.0 * expected[0], rtol=1e-5,
                               atol=1e-5)


# ---- refusals -----------------------------------------------------------------------------
def test_a_lambda_stored_as_code_is_refused_naming_the_layer():
    with pytest.raises(nnkit.CheckpointError, match=r"'lambda_1' \(Lambda\).*code"):
        nnkit.load_model(FIXTURES / "lambda_code.keras")


def test_an_unregistered_lambda_function_is_refused_naming_it(tmp_path):
    def unknown(config):
        entry(config, "lambda")["config"]["function"]["config"] = "elsewhere>missing"
        return config
    path = rewritten(FIXTURES / "lambda_registered.keras", tmp_path, unknown)
    with pytest.raises(nnkit.CheckpointError,
                       match=r"'lambda' \(Lambda\).*'elsewhere>missing' is not registered"):
        nnkit.load_model(path)


@pytest.mark.parametrize("change,message", [
    (lambda node: node.update(class_name="Kron"), r"'mean' \(Kron\).*no nnkit op"),
    (lambda node: node["config"].update(where=None), r"'mean' \(Mean\).*\['where'\]"),
    (lambda node: node["inbound_nodes"][0]["kwargs"].update(
        dtype={"class_name": "__lambda__", "config": {"code": "..."}}),
     r"'mean' \(Mean\).*serialized '__lambda__'"),
])
def test_op_nodes_nnkit_cannot_read_are_refused_naming_them(tmp_path, change, message):
    def edit(config):
        change(entry(config, "mean"))
        return config
    with pytest.raises(nnkit.CheckpointError, match=message):
        nnkit.load_model(rewritten(FIXTURES / "mean_and_slices.keras", tmp_path, edit))


# ---- nnkit writes op nodes as Keras does --------------------------------------------------
def test_op_nodes_are_written_as_keras_wrote_them(tmp_path):
    source = FIXTURES / "mean_and_slices.keras"
    nnkit.load_model(source).save(tmp_path / "again.keras")
    theirs, ours = keras_config(source), keras_config(tmp_path / "again.keras")
    for name in ("mean", "mean_1", "get_item", "get_item_1", "get_item_2"):
        for key in ("module", "class_name", "config", "inbound_nodes"):
            assert entry(ours, name)[key] == entry(theirs, name)[key], (name, key)


def native_model():
    """A graph of operators and ops built in nnkit, with its inputs."""
    a, b = nnkit.Input((4, 3)), nnkit.Input((3,))
    x = nnkit.layers.Dense(3)(a)
    joined = ops.concatenate([ops.mean(x, axis=1), x[:, -1], b * 2.0], axis=-1)
    padded = ops.pad(x[:, 1:, None], ((0, 0), (1, 0), (0, 0), (0, 1)), constant_values=0.5)
    stacked = ops.stack([ops.sum(x, axis=(1, 2)), ops.max(b, axis=-1)], axis=1)
    model = nnkit.Model([a, b], [ops.softmax(joined @ np.ones((9, 2), "float32")), padded,
                                 ops.relu(stacked - 1.0), 1.0 - ops.transpose(x, (0, 2, 1))])
    rng = np.random.default_rng(3)
    return model, [rng.normal(size=(2, 4, 3)).astype("float32"),
                   rng.normal(size=(2, 3)).astype("float32")]


def test_nnkit_graphs_with_op_nodes_round_trip_through_keras_files(tmp_path):
    model, inputs = native_model()
    model.save(tmp_path / "native.keras")
    written = keras_config(tmp_path / "native.keras")["config"]["layers"]
    modules = {layer["class_name"]: layer["module"] for layer in written}
    assert modules["Softmax"] == "keras.src.ops.nn" and modules["Pad"] == "keras.src.ops.numpy"
    back = nnkit.load_model(tmp_path / "native.keras")
    for got, want in zip(predictions(back, inputs), predictions(model, inputs)):
        np.testing.assert_array_equal(got, want)


def test_a_lambda_of_a_registered_function_round_trips(tmp_path):
    model = nnkit.load_model(FIXTURES / "lambda_registered.keras")
    model.save(tmp_path / "lambda.keras")
    function = entry(keras_config(tmp_path / "lambda.keras"), "lambda")["config"]["function"]
    assert function["class_name"] == "function" and function["config"] == "nnkit_tests>scaled_tanh"
    inputs, expected = fixture("lambda_registered")
    np.testing.assert_allclose(predictions(nnkit.load_model(tmp_path / "lambda.keras"),
                                           inputs)[0], expected[0], rtol=1e-5, atol=1e-5)


def test_keras_opens_nnkit_graphs_with_op_nodes(tmp_path):
    keras = pytest.importorskip("keras")
    if not hasattr(keras, "saving"):      # tests/fixtures/keras on the path is not Keras
        pytest.skip("Keras is not installed")
    model, inputs = native_model()
    model.save(tmp_path / "native.keras")
    out = keras.saving.load_model(tmp_path / "native.keras").predict(inputs, verbose=0)
    for got, want in zip(out, predictions(model, inputs)):
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=1e-6)
