""".keras files of text models: Keras-made ones load in nnkit with Keras's vocabulary and
predictions; nnkit writes the vocabulary where Keras 3 puts it (``assets/<layer path>/
vocabulary.txt``, idf weights in the weights file) and Keras loads those files (checked in
the Keras + TensorFlow environment at /tmp/tfvenv where it exists); hostile vocabularies
are refused with CheckpointError.

The fixtures are written by ``tests/fixtures/make_text_file_fixtures.py`` with Keras 3.15.
"""
import json
import pathlib
import subprocess
import zipfile

import numpy
import pytest

import nnkit
from nnkit.errors import CheckpointError
from nnkit.layers import IntegerLookup, StringLookup, TextVectorization
from nnkit.layers.preprocessing import register_text_function
from nnkit.saving import keras_archive

HERE = pathlib.Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures" / "keras_files"
RECORDED = json.loads((FIXTURES / "keras3_text_models.json").read_text())
KERAS_PYTHON = pathlib.Path("/tmp/tfvenv/bin/python")
CORPUS = ["a great film", "a great great cast", "the worst plot", "a dull plot", "café crème"]


def predict(model, queries):
    queries = numpy.array(queries)
    queries = queries.astype(object) if queries.dtype.kind == "U" else queries
    return numpy.asarray(model.predict(queries, verbose=0))


@pytest.mark.parametrize("case", sorted(RECORDED))
def test_keras_made_text_models_load_with_keras_vocabulary(case, tmp_path):
    recorded = RECORDED[case]
    model = nnkit.load_model(FIXTURES / f"{case}.keras")
    assert model.layers[1].get_vocabulary() == recorded["vocabulary"]
    numpy.testing.assert_allclose(predict(model, recorded["queries"]), recorded["predictions"],
                                  rtol=1e-5, atol=2e-6)
    model.save(tmp_path / "again.keras")
    again = nnkit.load_model(tmp_path / "again.keras")
    numpy.testing.assert_allclose(predict(again, recorded["queries"]), recorded["predictions"],
                                  rtol=1e-5, atol=2e-6)


def test_the_vocabulary_is_written_where_keras_writes_it(tmp_path):
    nnkit.utils.set_random_seed(1)
    model = nnkit.load_model(FIXTURES / "keras3_text_tf_idf.keras")
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(FIXTURES / "keras3_text_tf_idf.keras") as theirs, \
            zipfile.ZipFile(tmp_path / "m.keras") as ours:
        assets = sorted(name for name in theirs.namelist() if name.startswith("assets/"))
        assert sorted(n for n in ours.namelist() if n.startswith("assets/")) == assets
        for name in assets:
            assert ours.read(name) == theirs.read(name)


@register_text_function(package="nnkit_test")
def keep_case_strip_digits(texts):
    return numpy.array([text.translate({ord(d): None for d in "0123456789"}) for text in texts])


def native_models():
    """nnkit-built text models: int + Conv1D, tf_idf with bigrams, IntegerLookup, a given
    vocabulary; ``[(name, model, queries)]``."""
    nnkit.utils.set_random_seed(4)
    vectorize = TextVectorization(max_tokens=20, output_sequence_length=5)
    vectorize.adapt(CORPUS)
    text = nnkit.Input(shape=(1,), dtype="string")
    conv = nnkit.layers.Conv1D(3, 2, activation="relu")(nnkit.layers.Embedding(20, 4)(
        vectorize(text)))
    int_model = nnkit.Model(text, nnkit.layers.Dense(1, activation="sigmoid")(
        nnkit.layers.GlobalMaxPooling1D()(conv)))
    tf_idf = TextVectorization(output_mode="tf_idf", max_tokens=30, ngrams=2)
    tf_idf.adapt(CORPUS)
    text = nnkit.Input(shape=(1,), dtype="string")
    tf_idf_model = nnkit.Model(text, nnkit.layers.Dense(2)(tf_idf(text)))
    numbers = IntegerLookup(output_mode="multi_hot", num_oov_indices=2)
    numbers.adapt(numpy.array([[3, 1, 4], [1, 5, 9], [2, 6, 5]]))
    ints = nnkit.Input(shape=(3,), dtype="int64")
    integer_model = nnkit.Model(ints, nnkit.layers.Dense(2)(numbers(ints)))
    given = StringLookup(vocabulary=["great", "film", "plot"], output_mode="count")
    tokens = nnkit.Input(shape=(2,), dtype="string")
    given_model = nnkit.Model(tokens, nnkit.layers.Dense(1)(given(tokens)))
    queries = ["a GREAT film 1999", "worst plot 7", "café"]
    return [("int", int_model, queries), ("tf_idf", tf_idf_model, queries),
            ("integer", integer_model, [[3, 1, 7], [5, 9, 8]]),
            ("given", given_model, [["great", "x"], ["plot", "plot"]])]


def nnkit_only_models():
    """A registered custom standardize, and a padded tf_idf (Keras 3.15 cannot load its own
    padded tf_idf files: it compares the ``max_tokens`` idf weights with the vocabulary)."""
    custom = TextVectorization(standardize=keep_case_strip_digits, output_mode="count")
    custom.adapt(["Great 1 film", "great 22 Film"])
    padded = TextVectorization(output_mode="tf_idf", max_tokens=30, pad_to_max_tokens=True)
    padded.adapt(CORPUS)
    models = []
    for name, layer in (("custom", custom), ("padded", padded)):
        text = nnkit.Input(shape=(1,), dtype="string")
        models.append((name, nnkit.Model(text, nnkit.layers.Dense(1)(layer(text))),
                       ["Film 3", "great plot"]))
    return models


def test_nnkit_written_text_models_load_back(tmp_path):
    for name, model, queries in native_models() + nnkit_only_models():
        model.save(tmp_path / f"{name}.keras")
        loaded = nnkit.load_model(tmp_path / f"{name}.keras")
        assert loaded.layers[1].get_vocabulary() == model.layers[1].get_vocabulary()
        numpy.testing.assert_allclose(predict(loaded, queries), predict(model, queries),
                                      rtol=1e-6)


@pytest.mark.skipif(not KERAS_PYTHON.exists(), reason="no Keras + TensorFlow venv at /tmp/tfvenv")
def test_keras_loads_nnkit_written_text_models(tmp_path):
    expected = {}
    for name, model, queries in native_models():
        model.save(tmp_path / f"{name}.keras")
        expected[f"{name}.keras"] = {"queries": queries,
                                     "vocabulary": model.layers[1].get_vocabulary(),
                                     "predictions": predict(model, queries).tolist()}
    (tmp_path / "expected.json").write_text(json.dumps(expected))
    run = subprocess.run([str(KERAS_PYTHON), str(HERE / "fixtures" / "make_text_file_fixtures.py"),
                          "--check", str(tmp_path)], capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    assert run.stdout.count("OK ") == len(expected)


def rewrite(source, target, replace):
    """Copy the archive ``source`` to ``target`` with members replaced (``{name: bytes or
    None to drop}``)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            if info.filename not in replace:
                new.writestr(info, old.read(info))
        for name, data in replace.items():
            if data is not None:
                new.writestr(name, data)


VOCABULARY = "assets/layers/text_vectorization/vocabulary.txt"


@pytest.mark.parametrize("data,message", [
    (None, "no vocabulary"), (b"\n[UNK]\n\xff\xfe", "not UTF-8"),
    (b"\n[UNK]\ngreat\ngreat", "repeats"), ("\n".join(["", "[UNK]"] + [f"t{i}" for i in range(40)])
                                           .encode(), "max_tokens")])
def test_hostile_vocabularies_are_refused(data, message, tmp_path):
    rewrite(FIXTURES / "keras3_text_int.keras", tmp_path / "bad.keras", {VOCABULARY: data})
    with pytest.raises(CheckpointError, match=message):
        nnkit.load_model(tmp_path / "bad.keras")


def test_an_oversized_vocabulary_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(keras_archive, "MAX_ASSET_BYTES", 10)
    with pytest.raises(CheckpointError, match="more than 10"):
        nnkit.load_model(FIXTURES / "keras3_text_int.keras")


def test_unregistered_functions_and_unsaveable_tokens_are_refused(tmp_path):
    with zipfile.ZipFile(FIXTURES / "keras3_text_int.keras") as archive:
        config = json.loads(archive.read("config.json"))
    config["config"]["layers"][1]["config"]["standardize"] = {
        "module": "builtins", "class_name": "function", "config": "evil>run",
        "registered_name": "function"}
    rewrite(FIXTURES / "keras3_text_int.keras", tmp_path / "code.keras",
            {"config.json": json.dumps(config).encode()})
    with pytest.raises(CheckpointError, match="register"):
        nnkit.load_model(tmp_path / "code.keras")
    lines = TextVectorization(split=None, standardize=None)
    lines.adapt(["one\ntwo", "three"])
    text = nnkit.Input(shape=(1,), dtype="string")
    model = nnkit.Model(text, lines(text))
    with pytest.raises(CheckpointError, match="line break"):
        model.save(tmp_path / "lines.keras")
    assert not (tmp_path / "lines.keras").exists()


def test_tokens_keras_reads_as_line_breaks_round_trip_exactly(tmp_path):
    # IMDB reviews hold "\x85" (an ellipsis in cp1252); Keras 3.15 splits its own
    # vocabulary.txt there (str.splitlines), nnkit splits at "\n" only
    lookup = StringLookup()
    lookup.adapt(numpy.array([["a", "x\x85y", "b", "b", "p\u2028q"]]))
    tokens = nnkit.Input(shape=(2,), dtype="string")
    model = nnkit.Model(tokens, lookup(tokens))
    with pytest.warns(UserWarning, match="Keras will misread"):
        model.save(tmp_path / "nel.keras")
    loaded = nnkit.load_model(tmp_path / "nel.keras")
    assert loaded.layers[1].get_vocabulary() == ["[UNK]", "b", "x\x85y", "p\u2028q", "a"]
