"""nnkit writes MultiHeadAttention calls and recurrent calls from symbolic initial states as
Keras 3 writes them in a ``.keras`` file, and reads its own files back to the same predictions.

Keras's form (Keras 3.15): a MultiHeadAttention call is ``args [query, value]`` with keywords
``key``, ``attention_mask``, ``use_causal_mask``, ``return_attention_scores`` and
``build_config {"shapes_dict": {"query_shape", "value_shape"(, "key_shape")}}``; a recurrent
call is ``args [x]`` with keyword ``initial_state [...]`` and ``build_config {"shapes_dict":
{"sequences_shape", "initial_state_shape"}}``. The Keras-made files compared with are
``tests/fixtures/transformer/mha_model.keras`` and
``tests/fixtures/rnn_state/encoder_decoder.keras``.
That Keras opens nnkit's files and predicts the same is checked by hand with
``tests/fixtures/check_keras_export.py`` (Keras is not installed here); its graphs are these.
"""
import json
import pathlib
import sys
import zipfile

import numpy as np
import pytest

import nnkit
from nnkit.errors import CheckpointError

FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(FIXTURES))
from check_keras_export import GRAPHS, compared_entries  # noqa: E402


def predictions(model, inputs):
    out = model.predict(inputs, verbose=0)
    return out if isinstance(out, list) else [out]


def written_layers(path):
    with zipfile.ZipFile(path) as archive:
        layers = json.loads(archive.read("config.json"))["config"]["layers"]
    return {layer["name"]: layer for layer in layers}


def ref(name, shape, dtype="float32", index=0):
    """A node argument as Keras writes it: the tensor ``index`` of layer ``name``'s first call."""
    return {"class_name": "__keras_tensor__",
            "config": {"shape": shape, "dtype": dtype, "keras_history": [name, 0, index]}}


def node_kwargs(model):
    return {layer.name: [node.kwargs for node in layer.inbound_nodes]
            for layer in model.operations if layer.inbound_nodes and
            type(layer).__name__ in ("MultiHeadAttention", "LSTM", "GRU", "Bidirectional")}


# ---- nnkit → .keras → nnkit ---------------------------------------------------------------
@pytest.mark.parametrize("case", sorted(GRAPHS))
def test_graphs_read_back_predict_the_same_and_keep_the_call_arguments(case, tmp_path):
    model, inputs = GRAPHS[case](nnkit)
    model.save(tmp_path / "model.keras")
    back = nnkit.load_model(tmp_path / "model.keras")
    got, want = predictions(back, inputs), predictions(model, inputs)
    assert len(got) == len(want)
    for value, expected in zip(got, want):
        np.testing.assert_array_equal(value, expected)
    assert node_kwargs(back) == node_kwargs(model)


def test_the_causal_mask_is_kept(tmp_path):
    """Without it the first position would see the later ones: the reloaded model's outputs
    equal the causal model's and differ from the same weights attending both ways."""
    model, inputs = GRAPHS["mha_self_causal"](nnkit)
    model.save(tmp_path / "causal.keras")
    back = nnkit.load_model(tmp_path / "causal.keras")
    ids = nnkit.Input((6,), dtype="int32")
    x = model.get_layer("embedded")(ids)
    both_ways = nnkit.Model(ids, model.get_layer("mean")(model.get_layer("causal")(x, x)))
    assert not np.allclose(predictions(both_ways, inputs)[0], predictions(model, inputs)[0])
    assert node_kwargs(back)["causal"] == [{"use_causal_mask": True}]
    np.testing.assert_array_equal(predictions(back, inputs)[0], predictions(model, inputs)[0])


# ---- Keras's form ---------------------------------------------------------------------
def test_cross_attention_is_written_with_key_and_attention_mask_keywords(tmp_path):
    model, _ = GRAPHS["mha_cross_masked"](nnkit)
    model.save(tmp_path / "cross.keras")
    layers = written_layers(tmp_path / "cross.keras")
    query, allowed = ref("q", [None, 4, 5]), ref("allowed", [None, 4, 6], "bool")
    value, key = ref("v", [None, 6, 3]), ref("k", [None, 6, 2])
    assert layers["keyed"]["inbound_nodes"] == [
        {"args": [query, value], "kwargs": {"key": key, "attention_mask": allowed}}]
    assert layers["keyed"]["build_config"] == {"shapes_dict": {
        "query_shape": [None, 4, 5], "value_shape": [None, 6, 3], "key_shape": [None, 6, 2]}}
    # called without a key: none is written (Keras takes the value), nor its shape
    assert layers["unkeyed"]["inbound_nodes"] == [
        {"args": [ref("keyed", [None, 4, 5]), value], "kwargs": {"attention_mask": allowed}}]
    assert layers["unkeyed"]["build_config"] == {"shapes_dict": {
        "query_shape": [None, 4, 5], "value_shape": [None, 6, 3]}}


def test_returned_scores_are_a_keyword_and_a_second_output(tmp_path):
    model, _ = GRAPHS["mha_scores"](nnkit)
    model.save(tmp_path / "scores.keras")
    with zipfile.ZipFile(tmp_path / "scores.keras") as archive:
        config = json.loads(archive.read("config.json"))["config"]
    node = written_layers(tmp_path / "scores.keras")["scored"]["inbound_nodes"][0]
    assert node["kwargs"] == {"key": ref("v", [None, 6, 3]),
                              "return_attention_scores": True}
    assert config["output_layers"] == [["scored", 0, 0], ["scored", 0, 1]]


def test_a_decoder_started_from_the_encoder_states_is_written_with_initial_state(tmp_path):
    model, _ = GRAPHS["encoder_decoder"](nnkit)
    model.save(tmp_path / "seq.keras")
    decoder = written_layers(tmp_path / "seq.keras")["decoder"]
    assert decoder["inbound_nodes"] == [{"args": [ref("target_embedded", [None, None, 4])],
                                         "kwargs": {"initial_state": [
                                             ref("encoder", [None, 5], index=1),
                                             ref("encoder", [None, 5], index=2)]}}]
    assert decoder["build_config"] == {"shapes_dict": {
        "sequences_shape": [None, None, 4], "initial_state_shape": [[None, 5], [None, 5]]}}


@pytest.mark.parametrize("folder,name,outputs", [
    ("transformer", "mha_model", ("y", "scores")),
    ("rnn_state", "encoder_decoder", ("y0", "y1", "y2")),
])
def test_keras_made_files_are_written_again_as_keras_wrote_them(folder, name, outputs,
                                                                   tmp_path):
    """Attention and recurrent entries (calls and build_config) equal Keras's own, but for the
    ``mask`` and ``training`` Keras adds to a one-tensor call (``compared_entries``)."""
    source = FIXTURES / folder / f"{name}.keras"
    nnkit.load_model(source).save(tmp_path / "again.keras")
    theirs, ours = compared_entries(source), compared_entries(tmp_path / "again.keras")
    assert sorted(ours) == sorted(theirs) and len(ours) == 2
    for layer in theirs:
        assert ours[layer] == theirs[layer], layer
    arrays = np.load(FIXTURES / folder / f"{name}.npz")
    inputs = [arrays[key] for key in sorted(arrays) if key.startswith("x")]
    got = predictions(nnkit.load_model(tmp_path / "again.keras"), inputs)
    for value, key in zip(got, outputs, strict=True):
        np.testing.assert_allclose(value, arrays[key], rtol=1e-5, atol=2e-6)


# ---- Keras 2's list call [x, *states] ---------------------------------------------------
def test_an_unmasked_list_call_is_written_as_initial_state(tmp_path):
    x, h0 = nnkit.Input((4, 3), name="x"), nnkit.Input((2,), name="h0")
    model = nnkit.Model([x, h0], nnkit.layers.GRU(2, name="gru")([x, h0]))
    model.save(tmp_path / "list.keras")
    node = written_layers(tmp_path / "list.keras")["gru"]["inbound_nodes"][0]
    assert node == {"args": [ref("x", [None, 4, 3])],
                    "kwargs": {"initial_state": [ref("h0", [None, 2])]}}
    rng = np.random.default_rng(0)
    data = [rng.normal(size=(3, 4, 3)).astype("float32"), rng.normal(size=(3, 2)).astype("float32")]
    np.testing.assert_array_equal(predictions(nnkit.load_model(tmp_path / "list.keras"), data)[0],
                                  predictions(model, data)[0])


def test_a_masked_list_call_is_refused_naming_the_layer(tmp_path):
    """The list call applies x's mask; Keras 3 runs every step of a call with initial_state,
    so no Keras file computes it."""
    ids, h0 = nnkit.Input((4,), dtype="int32"), nnkit.Input((2,))
    embedded = nnkit.layers.Embedding(5, 3, mask_zero=True)(ids)
    model = nnkit.Model([ids, h0], nnkit.layers.GRU(2, name="gru")([embedded, h0]))
    with pytest.raises(CheckpointError, match=r"'gru' \(GRU\).*masked x.*initial_state"):
        model.save(tmp_path / "masked.keras")
    assert not (tmp_path / "masked.keras").exists()
