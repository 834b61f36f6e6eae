"""keras.utils on nnkit: get_file (Keras 3.15's cache, hashes, extraction), pad_sequences,
to_categorical, normalize, set_random_seed, plot_model/model_to_dot, register_keras_serializable."""
import hashlib
import io
import os
import random
import tarfile
import uuid
import zipfile

import numpy as np
import pytest

import nnkit
from nnkit.errors import InvalidArgumentError, NotBuiltError
from nnkit.registry import LAYERS
from nnkit.utils import get_file
from nnkit.utils.downloads import ChecksumError, DatasetError
from nnkit.utils.model_graph import model_diagram

PAYLOAD = b"nnkit get_file payload\n" * 200


@pytest.fixture
def origin(tmp_path):
    """A served file: ``(its file:// URL, its folder)``."""
    served = tmp_path / "served"
    served.mkdir()
    (served / "payload.bin").write_bytes(PAYLOAD)
    return (served / "payload.bin").as_uri(), served


def test_get_file_default_name_and_keras_home(origin, tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    path = get_file(origin=origin[0])
    assert path == str(tmp_path / "keras_home" / "datasets" / "payload.bin")
    assert open(path, "rb").read() == PAYLOAD
    assert sorted(os.listdir(tmp_path / "keras_home" / "datasets")) == ["payload.bin"]   # no temp file left


@pytest.mark.parametrize("algorithm, argument", [("sha256", "file_hash"), ("md5", "file_hash"), ("md5", "md5_hash")])
def test_hash_algorithm_is_detected_from_the_hash_length(origin, tmp_path, algorithm, argument):
    digest = hashlib.new(algorithm, PAYLOAD).hexdigest()
    path = get_file("copy.bin", origin[0], cache_dir=tmp_path / "cache", **{argument: digest})
    assert path == str(tmp_path / "cache" / "datasets" / "copy.bin")
    wrong = "0" * len(digest)
    with pytest.raises(ChecksumError) as raised:
        get_file("other.bin", origin[0], cache_dir=tmp_path / "cache", **{argument: wrong})
    message = str(raised.value)
    assert origin[0] in message and f"expected {algorithm} {wrong}" in message and f"received {digest}" in message
    assert str(tmp_path / "cache" / "datasets" / "other.bin") in message
    assert isinstance(raised.value, ValueError) and isinstance(raised.value, DatasetError)
    assert sorted(os.listdir(tmp_path / "cache" / "datasets")) == ["copy.bin"]


def test_cached_file_with_wrong_hash_is_downloaded_again(origin, tmp_path):
    cached = tmp_path / "cache" / "datasets" / "payload.bin"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"stale")
    assert open(get_file(origin=origin[0], cache_dir=tmp_path / "cache"), "rb").read() == b"stale"  # no hash: kept
    get_file(origin=origin[0], cache_dir=tmp_path / "cache", file_hash=hashlib.sha256(PAYLOAD).hexdigest())
    assert cached.read_bytes() == PAYLOAD


def test_force_download_replaces_a_cached_file(origin, tmp_path):
    path = get_file(origin=origin[0], cache_dir=tmp_path)
    (origin[1] / "payload.bin").write_bytes(b"new version")
    assert open(get_file(origin=origin[0], cache_dir=tmp_path), "rb").read() == PAYLOAD
    assert open(get_file(origin=origin[0], cache_dir=tmp_path, force_download=True), "rb").read() == b"new version"
    assert path.endswith("payload.bin")


def test_unwritable_cache_dir_falls_back_to_tmp_keras(origin, tmp_path, monkeypatch):
    blocked = str(tmp_path / "blocked")
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: path != blocked and real_access(path, mode))
    subdir = f"nnkit-test-{uuid.uuid4().hex}"
    path = get_file(origin=origin[0], cache_dir=blocked, cache_subdir=subdir)
    try:
        assert path == os.path.join("/tmp", ".keras", subdir, "payload.bin")
    finally:
        os.remove(path)
        os.rmdir(os.path.dirname(path))


def test_unreachable_origin_names_it_and_leaves_nothing(tmp_path):
    missing = (tmp_path / "nowhere.bin").as_uri()
    with pytest.raises(DatasetError, match="could not download .*nowhere.bin") as raised:
        get_file(origin=missing, cache_dir=tmp_path / "cache")
    assert str(tmp_path / "cache" / "datasets" / "nowhere.bin") in str(raised.value)
    assert os.listdir(tmp_path / "cache" / "datasets") == []


@pytest.mark.parametrize("arguments, message", [
    ({"fname": "a.bin"}, 'specify the "origin"'),
    ({"fname": "sub/a.bin", "origin": "file:///x/a.bin"}, "fname must be a file name, not a path"),
    ({"origin": "file:///folder/"}, "cannot take a file name from origin"),
    ({"origin": "file:///x/a.bin", "file_hash": "00", "hash_algorithm": "sha1"}, "hash_algorithm must be one of"),
])
def test_get_file_bad_arguments(tmp_path, arguments, message):
    with pytest.raises(InvalidArgumentError, match=message):
        get_file(cache_dir=tmp_path, **arguments)


def make_tar(path, members):
    """A .tar.gz holding ``{name: bytes}`` files and ``{name: ("link", target)}`` symbolic links."""
    with tarfile.open(path, "w:gz") as archive:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            if isinstance(content, tuple):
                info.type, info.linkname = tarfile.SYMTYPE, content[1]
                archive.addfile(info)
            else:
                info.size = len(content)
                archive.addfile(info, io.BytesIO(content))


def test_extract_tar_follows_keras_names_and_skips_escaping_members(tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    make_tar(served / "data.tar.gz", {"data/a.txt": b"A", "../escape.txt": b"X", "data/link": ("link", "/etc/passwd"),
                                      "data/inner_link": ("link", "a.txt")})
    with pytest.warns(UserWarning, match="Skipping invalid path"):
        folder = get_file("data.tar.gz", (served / "data.tar.gz").as_uri(), extract=True, cache_dir=tmp_path / "c")
    assert folder == str(tmp_path / "c" / "datasets" / "data_extracted")
    assert open(os.path.join(folder, "data", "a.txt")).read() == "A"
    assert os.path.islink(os.path.join(folder, "data", "inner_link"))
    assert not os.path.lexists(os.path.join(folder, "data", "link"))
    assert not (tmp_path / "c" / "datasets" / "escape.txt").exists()
    assert (tmp_path / "c" / "datasets" / "data.tar.gz").is_file()
    untarred = get_file("bundle", (served / "data.tar.gz").as_uri(), untar=True, cache_dir=tmp_path / "c")
    assert untarred == str(tmp_path / "c" / "datasets" / "bundle")
    assert (tmp_path / "c" / "datasets" / "bundle_archive").is_file()


def test_extract_zip_without_fname_and_traversal(tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    with zipfile.ZipFile(served / "pack.zip", "w") as archive:
        archive.writestr("pack/b.txt", "B")
        archive.writestr("../../outside.txt", "X")
    with pytest.warns(UserWarning, match="Skipping invalid path"):
        folder = get_file(origin=(served / "pack.zip").as_uri(), extract=True, cache_dir=tmp_path / "c")
    assert folder == str(tmp_path / "c" / "datasets" / "pack.zip")
    assert (tmp_path / "c" / "datasets" / "pack.zip_archive").is_file()
    assert open(os.path.join(folder, "pack", "b.txt")).read() == "B"
    assert not (tmp_path / "outside.txt").exists() and not (tmp_path / "c" / "outside.txt").exists()
    with pytest.warns(UserWarning, match="could not extract"):
        get_file("plain", (served / "pack.zip").as_uri(), extract=True, archive_format="tar", cache_dir=tmp_path)


def test_pad_sequences_is_the_preprocessing_function():
    assert nnkit.utils.pad_sequences is nnkit.preprocessing.sequence.pad_sequences
    np.testing.assert_array_equal(nnkit.utils.pad_sequences([[1, 2, 3], [4]], maxlen=2), [[2, 3], [0, 4]])


@pytest.mark.parametrize("labels, classes", [([[2], [0], [1]], None), ([[0, 3], [1, 1]], 5), ([1, 0], 2)])
def test_to_categorical_drops_a_trailing_axis_of_one(labels, classes):
    array = np.asarray(labels)
    squeezed = array[..., 0] if array.ndim > 1 and array.shape[-1] == 1 else array
    count = classes or int(array.max()) + 1
    expected = np.eye(count)[squeezed]
    np.testing.assert_array_equal(nnkit.utils.to_categorical(labels, classes), expected)


def test_normalize_against_plain_norms():
    x = np.array([[3.0, 4.0, 0.0], [0.0, 0.0, 0.0], [1.0, -1.0, 2.0]])
    rows = nnkit.utils.normalize(x)
    for row, original in zip(rows, x):
        length = np.sqrt(sum(v * v for v in original))
        np.testing.assert_allclose(row, original / length if length else original)
    columns = nnkit.utils.normalize(x, axis=0, order=1)
    np.testing.assert_allclose(columns, x / np.abs(x).sum(axis=0, keepdims=True))
    np.testing.assert_allclose(nnkit.utils.normalize(np.array([3.0, 4.0])), [[0.6, 0.8]])   # Keras: (1, D)
    with pytest.raises(InvalidArgumentError, match="axis 2 is out of range"):
        nnkit.utils.normalize(x, axis=2)


def test_set_random_seed_seeds_python_numpy_and_nnkit():
    def draws():
        return random.random(), np.random.rand(), float(nnkit.random.generator().random())

    nnkit.utils.set_random_seed(7)
    first = draws()
    nnkit.utils.set_random_seed(7)
    assert draws() == first
    nnkit.utils.set_random_seed(8)
    assert all(a != b for a, b in zip(draws(), first))
    for bad in ("7", 7.0, True, -1):
        with pytest.raises(InvalidArgumentError, match="set_random_seed"):
            nnkit.utils.set_random_seed(bad)


def small_graph():
    """``x → h → [inner: inner_in → inner_dense] → final``, plus an unused second input ``b``."""
    inner_input = nnkit.Input((4,), name="inner_in")
    inner = nnkit.Model(inner_input, nnkit.Dense(4, name="inner_dense")(inner_input), name="inner")
    x = nnkit.Input((3,), name="x")
    b = nnkit.Input((2,), name="b")
    hidden = nnkit.Dense(4, activation="relu", name="h")(x)
    merged = nnkit.Concatenate(name="cat")([inner(hidden), b])
    return nnkit.Model([x, b], nnkit.Dense(1, name="final")(merged), name="outer")


def names(pairs):
    return sorted((source.name, destination.name) for source, destination in pairs)


def test_model_diagram_of_a_graph_with_a_nested_model():
    model = small_graph()
    diagram = model_diagram(model)
    boxes = {box.layer.name: box for box in diagram.boxes}
    assert set(boxes) == {"x", "b", "h", "inner", "cat", "final"}
    assert names(diagram.edges) == [("b", "cat"), ("cat", "final"), ("h", "inner"), ("inner", "cat"), ("x", "h")]
    assert boxes["h"].input_shape == (None, 3) and boxes["h"].output_shape == (None, 4)
    assert boxes["cat"].input_shape == [(None, 4), (None, 2)] and boxes["cat"].output_shape == (None, 6)
    assert boxes["x"].input_shape is None and boxes["final"].output_dtype == "float32"
    expanded = model_diagram(model, expand_nested=True)
    assert [box.layer.name for box in expanded.clusters[0].boxes] == ["inner_in", "inner_dense"]
    assert "inner" not in {box.layer.name for box in expanded.boxes}
    assert names(expanded.all_edges()) == [("b", "cat"), ("cat", "final"), ("h", "inner_in"),
                                           ("inner_dense", "cat"), ("inner_in", "inner_dense"), ("x", "h")]


def test_model_diagram_of_a_sequential_is_a_chain_without_input_box():
    model = nnkit.Sequential([nnkit.Dense(4, input_shape=(3,), name="d1"), nnkit.Dense(2, name="d2"),
                              nnkit.Dense(1, name="d3")])
    diagram = model_diagram(model)
    assert [box.layer.name for box in diagram.boxes] == ["d1", "d2", "d3"]
    assert names(diagram.edges) == [("d1", "d2"), ("d2", "d3")]
    assert diagram.boxes[0].input_shape == (None, 3) and diagram.boxes[-1].output_shape == (None, 1)


def test_plot_model_refuses_unbuilt_models_and_unknown_arguments():
    with pytest.raises(NotBuiltError, match="not built"):
        model_diagram(nnkit.Sequential([nnkit.Dense(2)]))
    with pytest.raises(InvalidArgumentError, match="layer_range argument is no longer supported"):
        nnkit.utils.plot_model(small_graph(), layer_range=["h", "final"])
    with pytest.raises(InvalidArgumentError, match=r"unrecognized keyword arguments \['colour'\]"):
        nnkit.utils.model_to_dot(small_graph(), colour="red")


def test_plot_model_without_pydot_names_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "pydot", None)        # as if not installed
    for draw in (nnkit.utils.plot_model, nnkit.utils.model_to_dot):
        with pytest.raises(ImportError, match=r'pip install "nnkit\[plots\]".*graphviz') as raised:
            draw(small_graph(), **({"to_file": tmp_path / "m.png"} if draw is nnkit.utils.plot_model else {}))
        assert isinstance(raised.value, nnkit.NnkitError)
    assert not (tmp_path / "m.png").exists()


def test_model_to_dot_labels_with_pydot():
    pytest.importorskip("pydot")
    text = nnkit.utils.model_to_dot(small_graph(), show_shapes=True, show_layer_activations=True,
                                    show_trainable=True).to_string()
    assert "<b>h</b> (Dense)" in text and "Activation: <b>relu</b>" in text
    assert "Output shape: <b>(None, 6)</b>" in text and "Trainable" in text
    assert text.count("->") == 5


def test_register_keras_serializable_backs_onto_the_layer_registry():
    @nnkit.utils.register_keras_serializable(package="nnkit_tests")
    class ScaleByTwoForRegistryTest(nnkit.layers.Layer):
        def forward(self, x, training=False, mask=None):
            return 2 * x

    assert LAYERS.get("ScaleByTwoForRegistryTest") is ScaleByTwoForRegistryTest
    assert LAYERS.get("nnkit_tests>ScaleByTwoForRegistryTest") is ScaleByTwoForRegistryTest
    decorate = nnkit.utils.register_keras_serializable("nnkit_tests", name="renamed_function")
    with pytest.raises(InvalidArgumentError, match="lambda expression"):
        decorate(lambda x: x)
