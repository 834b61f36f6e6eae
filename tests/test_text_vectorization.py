"""TextVectorization, StringLookup and IntegerLookup against Keras 3.

Two references: Keras's docstring examples (exact numbers, written here) and
``fixtures/keras_text_vectorization.json``, recorded from Keras 3.15 + TensorFlow by
``fixtures/make_text_vectorization_fixtures.py`` on a corpus with ties, punctuation, non-ASCII
letters and non-ASCII whitespace.
"""
import json
import math
import pathlib

import numpy
import pytest

from nnkit.errors import DTypeError, InvalidArgumentError
from nnkit.layers.preprocessing import (IntegerLookup, StringLookup, TextVectorization,
                                        register_text_function)

FIXTURES = json.loads((pathlib.Path(__file__).parent / "fixtures" /
                       "keras_text_vectorization.json").read_text())


def dense(output):
    if hasattr(output, "indptr"):
        out = numpy.zeros(output.shape)
        for row in range(output.shape[0]):
            span = slice(output.indptr[row], output.indptr[row + 1])
            out[row, output.indices[span]] = output.data[span]
        return out
    return numpy.asarray(output)


@pytest.mark.parametrize("case", sorted(FIXTURES["text_vectorization"]))
def test_text_vectorization_matches_keras(case):
    recorded = FIXTURES["text_vectorization"][case]
    arguments = dict(recorded["arguments"])
    layer = TextVectorization(**arguments)
    layer.adapt(FIXTURES["corpus"])
    assert layer.get_vocabulary() == recorded["vocabulary"]
    numpy.testing.assert_allclose(dense(layer(FIXTURES["queries"])), recorded["output"],
                                  rtol=1e-6, atol=1e-6)
    if arguments.get("output_mode", "int") != "int":
        sparse = TextVectorization(**arguments, sparse=True)
        sparse.adapt(FIXTURES["corpus"])
        numpy.testing.assert_allclose(dense(sparse(FIXTURES["queries"])), recorded["output"],
                                      rtol=1e-6, atol=1e-6)


def test_string_and_integer_lookups_match_keras():
    tokens = [["a", "c", "d", "d"], ["d", "z", "b", "z"], ["b", "b", "é", "[UNK]"]]
    recorded = FIXTURES["lookups"]
    for mode in ("int", "multi_hot", "count", "tf_idf", "one_hot"):
        layer = StringLookup(output_mode=mode)
        layer.adapt(tokens if mode != "one_hot" else numpy.array(tokens).reshape(-1))
        data = tokens if mode != "one_hot" else ["a", "z", "é"]
        assert layer.get_vocabulary() == recorded[f"string_{mode}"]["vocabulary"]
        numpy.testing.assert_allclose(dense(layer(data)), recorded[f"string_{mode}"]["output"],
                                      rtol=1e-6)
    layer = StringLookup(mask_token="", max_tokens=4)
    layer.adapt(tokens)
    assert layer.get_vocabulary() == recorded["string_mask_max4"]["vocabulary"]
    numpy.testing.assert_array_equal(layer(tokens), recorded["string_mask_max4"]["output"])
    ints = numpy.array([[3, 1, 4, 1, 5], [9, 2, 6, 5, 3], [5, 8, 9, 7, 9]])
    layer = IntegerLookup(num_oov_indices=3, max_tokens=7)
    layer.adapt(ints)
    assert layer.get_vocabulary() == recorded["integer_oov3"]["vocabulary"]
    numpy.testing.assert_array_equal(layer(ints * 2), recorded["integer_oov3"]["output"])


def test_docstring_examples_of_keras():
    layer = TextVectorization(max_tokens=5000, output_mode="int", output_sequence_length=4)
    layer.adapt(["foo bar", "bar baz", "baz bada boom"])
    numpy.testing.assert_array_equal(layer([["foo qux bar"], ["qux baz"]]),
                                     [[4, 1, 3, 0], [1, 2, 0, 0]])
    layer = TextVectorization(vocabulary=["earth", "wind", "and", "fire"])
    assert layer.get_vocabulary() == ["", "[UNK]", "earth", "wind", "and", "fire"]
    data = [["a", "c", "d"], ["d", "z", "b"]]
    layer = StringLookup()
    layer.adapt(data)
    assert layer.get_vocabulary() == ["[UNK]", "d", "z", "c", "b", "a"]
    numpy.testing.assert_array_equal(layer(data), [[5, 3, 1], [1, 2, 4]])
    layer = StringLookup(output_mode="tf_idf")
    layer.set_vocabulary(["a", "b", "c", "d"], idf_weights=[0.25, 0.75, 0.6, 0.4])
    # the OOV slot gets the mean idf 0.5; "z" occurs twice in row 2
    numpy.testing.assert_allclose(layer([["a", "c", "d", "d"], ["d", "z", "b", "z"]]),
                                  [[0, 0.25, 0, 0.6, 0.8], [1.0, 0, 0.75, 0, 0.4]], rtol=1e-6)
    inverse = StringLookup(vocabulary=["a", "b", "c", "d"], invert=True)
    assert inverse([[1, 3, 4], [4, 0, 2]]).tolist() == [["a", "c", "d"], ["d", "[UNK]", "b"]]
    layer = IntegerLookup()
    layer.adapt(numpy.array([[12, 1138, 42], [42, 1000, 36]]))
    assert layer.get_vocabulary() == [-1, 42, 1138, 1000, 36, 12]
    layer = IntegerLookup(vocabulary=[12, 36, 1138, 42], num_oov_indices=2)
    numpy.testing.assert_array_equal(layer(numpy.array([[12, 1138, 42], [37, 1000, 36]])),
                                     [[2, 4, 5], [1, 0, 3]])


def test_idf_formula_and_tie_order_by_hand():
    layer = TextVectorization(output_mode="tf_idf")
    layer.adapt(["b a", "a c", "c"])          # a, c: 2 docs each; b: 1 doc; ties: c before a
    assert layer.get_vocabulary() == ["[UNK]", "c", "a", "b"]
    idf = [math.log(1 + 3 / 3), math.log(1 + 3 / 3), math.log(1 + 3 / 2)]
    expected = [[sum(idf) / 3, idf[0] * 2, 0, idf[2]]]
    numpy.testing.assert_allclose(layer(["c c b zz"]), expected, rtol=1e-6)


def test_custom_functions_must_be_registered_to_save():
    def shout(texts):
        return numpy.char.upper(texts)
    layer = TextVectorization(standardize=shout)
    with pytest.raises(InvalidArgumentError, match="register"):
        layer.get_config()

    @register_text_function(package="test_tv")
    def on_commas(texts):
        return [text.split(",") for text in texts]
    layer = TextVectorization(split=on_commas, standardize=None)
    layer.adapt(["x,y", "y,z"])
    config = layer.get_config()
    assert config["split"]["config"] == "test_tv>on_commas"
    clone = TextVectorization.from_config(config)
    clone.set_assets(layer.get_assets())
    numpy.testing.assert_array_equal(clone(["z,x,q"]), layer(["z,x,q"]))


def test_errors_name_the_layer():
    layer = TextVectorization(name="tv")
    with pytest.raises(DTypeError, match="tv"):
        layer([b"\xff\xfe"])
    with pytest.raises(DTypeError, match="tv"):
        layer([[1.0]])
    with pytest.raises(InvalidArgumentError, match="output_sequence_length"):
        TextVectorization(output_mode="count", output_sequence_length=3)
    with pytest.raises(InvalidArgumentError, match="repeats"):
        StringLookup(vocabulary=["a", "a"])
    with pytest.raises(InvalidArgumentError, match="num_oov_indices=0"):
        StringLookup(vocabulary=["a"], num_oov_indices=0)(["b"])


def test_raw_text_model_saves_its_vocabulary_in_hdf5(tmp_path):
    import nnkit
    corpus = ["a great film", "a terrible film", "great acting", "terrible plot"]
    vectorize = TextVectorization(max_tokens=50, output_sequence_length=6)
    vectorize.adapt(corpus)
    # dtype="object": Input(dtype="string") waits on symbolic.probe_batch taking "string"
    inputs = nnkit.Input(shape=(1,), dtype="object")
    hidden = nnkit.layers.Embedding(50, 8, mask_zero=True)(vectorize(inputs))
    outputs = nnkit.layers.Dense(1, activation="sigmoid")(
        nnkit.layers.GlobalAveragePooling1D()(hidden))
    model = nnkit.Model(inputs, outputs)
    model.compile("adam", "binary_crossentropy")
    model.fit(numpy.array(corpus), numpy.array([1, 0, 1, 0]), epochs=2, verbose=0)
    before = model.predict(["a great film", "an unseen plot"], verbose=0)
    path = tmp_path / "raw_text.h5"
    model.save(path)
    loaded = nnkit.models.load_model(path)
    assert loaded.layers[1].get_vocabulary() == vectorize.get_vocabulary()
    numpy.testing.assert_allclose(loaded.predict(["a great film", "an unseen plot"], verbose=0),
                                  before, rtol=1e-6)
