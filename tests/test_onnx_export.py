"""ONNX export: onnxruntime gives nnkit's predict for every layer that exports, every padding.

Each case exports a model, runs ``onnx.checker`` (full check) on the file, runs it
in onnxruntime and compares with ``model.predict`` on batches holding pre-padded,
post-padded and mixed (holes) rows and a row of only padding, at opset 17 and at
the newest opset onnxruntime loads. Skipped without onnx / onnxruntime.
"""
import functools
import os
import subprocess
import sys

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

import nnkit  # noqa: E402
from nnkit import layers as L, ops  # noqa: E402
from nnkit.export.converters import UnsupportedLayerError  # noqa: E402

#: one row of each padding: pre, post, holes, only padding, none
IDS = np.array([[0, 0, 3, 4, 5, 6], [1, 2, 3, 0, 0, 0], [0, 4, 0, 5, 0, 1],
                [0, 0, 0, 0, 0, 0], [6, 7, 8, 9, 1, 2], [0, 0, 0, 0, 0, 9]], np.int32)


@functools.lru_cache(maxsize=None)
def newest_opset():
    """The newest opset (≤ the onnx package's) whose models onnxruntime loads."""
    from onnx import helper
    for opset in range(onnx.defs.onnx_opset_version(), 16, -1):
        graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "probe",
                                  [helper.make_tensor_value_info("x", 1, [1])],
                                  [helper.make_tensor_value_info("y", 1, [1])])
        opsets = [helper.make_opsetid("", opset)]
        model = helper.make_model(graph, opset_imports=opsets,
                                  ir_version=helper.find_min_ir_version_for(opsets))
        try:
            ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
            return opset
        except Exception:          # noqa: BLE001  (onnxruntime's errors have no common base)
            continue
    pytest.skip("onnxruntime loads no opset >= 17")


@pytest.fixture(params=["17", "newest"])
def opset(request):
    return 17 if request.param == "17" else newest_opset()


def run_onnx(path, xs):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {i.name: x for i, x in zip(session.get_inputs(), xs)})


def assert_matches_predict(model, x, opset, tmp_path):
    path = tmp_path / "model.onnx"
    model.export(path, format="onnx", opset_version=opset)
    onnx.checker.check_model(str(path), full_check=True)
    xs = x if isinstance(x, list) else [x]
    got = run_onnx(path, xs)
    want = model.predict(x, verbose=0)
    want = want if isinstance(want, list) else [want]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.shape == w.shape
        assert np.abs(w).max() > 1e-3                    # a real output, not all zeros
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=2e-5)
    return got


def sequence_model(*body, masked=True, steps=6):
    return nnkit.Sequential([nnkit.Input((steps,), dtype="int32"),
                             L.Embedding(10, 8, mask_zero=masked), *body])


RECURRENT = {
    "lstm": lambda **kw: L.LSTM(5, **kw),
    "gru": lambda **kw: L.GRU(5, **kw),
    "gru_reset_before": lambda **kw: L.GRU(5, reset_after=False, **kw),
    "simple_rnn": lambda **kw: L.SimpleRNN(5, **kw),
    "lstm_relu": lambda **kw: L.LSTM(5, activation="relu", **kw),
    "stacked": lambda **kw: L.StackedCells(8, [4, 5], celltype=["gru", "lstm"], **kw),
    "bidirectional_lstm": lambda **kw: L.Bidirectional(L.LSTM(5, **kw)),
    "bidirectional_gru_sum": lambda **kw: L.Bidirectional(L.GRU(5, **kw), merge_mode="sum"),
}


@pytest.mark.parametrize("kind", sorted(RECURRENT))
@pytest.mark.parametrize("sequences", [False, True])
@pytest.mark.parametrize("backwards", [False, True])
def test_recurrent_layers_every_padding(kind, sequences, backwards, opset, tmp_path):
    layer = RECURRENT[kind](return_sequences=sequences, go_backwards=backwards)
    assert_matches_predict(sequence_model(layer), IDS, opset, tmp_path)


@pytest.mark.parametrize("kind", ["lstm", "gru", "bidirectional_lstm"])
def test_return_state_and_stacked_layers(kind, opset, tmp_path):
    inputs = nnkit.Input((6,), dtype="int32")
    x = L.Embedding(10, 8, mask_zero=True)(inputs)
    x = RECURRENT[kind](return_sequences=True)(x)
    outputs = RECURRENT["lstm"](return_state=True)(x)
    assert_matches_predict(nnkit.Model(inputs, outputs), IDS, opset, tmp_path)


def test_padding_never_changes_a_row(tmp_path):
    """Independent of predict: a pre-padded and a post-padded copy of one sequence give
    the unpadded sequence's output in onnxruntime."""
    model = nnkit.Sequential([nnkit.Input((None,), dtype="int32"),
                              L.Embedding(10, 8, mask_zero=True), L.LSTM(4)])
    path = tmp_path / "lstm.onnx"
    model.export(path, format="onnx")
    alone = run_onnx(path, [np.array([[3, 4, 5]], np.int32)])[0]
    padded = run_onnx(path, [np.array([[0, 0, 3, 4, 5], [3, 4, 5, 0, 0]], np.int32)])[0]
    np.testing.assert_allclose(padded, np.repeat(alone, 2, axis=0), rtol=1e-5, atol=1e-6)
    empty = run_onnx(path, [np.zeros((1, 4), np.int32)])[0]
    np.testing.assert_array_equal(empty, 0.0)           # a row of padding: the initial state


def test_dynamic_batch_and_time(tmp_path):
    model = nnkit.Sequential([nnkit.Input((None,), dtype="int32"),
                              L.Embedding(10, 8, mask_zero=True),
                              L.GRU(4, return_sequences=True), L.GlobalAveragePooling1D()])
    model.export(tmp_path / "m.onnx", format="onnx")
    for n, t in ((1, 3), (7, 11)):
        ids = np.random.default_rng(n).integers(0, 10, (n, t)).astype(np.int32)
        np.testing.assert_allclose(run_onnx(tmp_path / "m.onnx", [ids])[0],
                                   model.predict(ids, verbose=0), rtol=1e-4, atol=2e-5)


MASKED_BODIES = {
    "global_average": [L.GlobalAveragePooling1D()],
    "global_max": [L.GlobalMaxPooling1D()],
    "dense_relu_time_distributed": [L.Dense(6, activation="relu"),
                                    L.TimeDistributed(L.Dense(3)), L.GlobalMaxPooling1D()],
    "layer_norm_dropout": [L.LayerNormalization(), L.Dropout(0.5), L.GRU(3)],
    "activations": [L.Activation("tanh"), L.ReLU(max_value=0.5, negative_slope=0.1),
                    L.LeakyReLU(0.3), L.ELU(), L.PReLU(), L.GlobalAveragePooling1D()],
    "batch_norm": [L.BatchNormalization(), L.SimpleRNN(3)],
}


@pytest.mark.parametrize("name", sorted(MASKED_BODIES))
def test_layers_under_a_mask(name, opset, tmp_path):
    model = sequence_model(*MASKED_BODIES[name])
    for layer in model.layers:
        if isinstance(layer, L.BatchNormalization):
            layer.params["moving_mean"][...] = 0.2
            layer.params["moving_variance"][...] = 1.7
    assert_matches_predict(model, IDS, opset, tmp_path)


def test_convolutions_and_pooling(opset, tmp_path):
    text = sequence_model(L.Conv1D(4, 3, padding="same", activation="relu"),
                          L.MaxPooling1D(2), L.Conv1D(4, 2, padding="causal", dilation_rate=2),
                          L.AveragePooling1D(1), L.Flatten(), L.Dense(2), masked=False)
    assert_matches_predict(text, IDS, opset, tmp_path)
    image = nnkit.Sequential([
        nnkit.Input((8, 8, 2)), L.Conv2D(3, 3, padding="same", strides=2),
        L.AveragePooling2D(2, padding="same"), L.Conv2D(4, 2, data_format="channels_last"),
        L.Reshape((4, 1)), L.Permute((2, 1)), L.Flatten(), L.Dense(3, activation="softmax")])
    x = np.random.default_rng(0).normal(size=(3, 8, 8, 2)).astype(np.float32)
    assert_matches_predict(image, x, opset, tmp_path)
    pooled = nnkit.Sequential([nnkit.Input((6, 6, 2)), L.MaxPooling2D(2), L.GlobalMaxPooling2D(),
                               L.RepeatVector(2), L.GlobalAveragePooling1D()])
    assert_matches_predict(pooled, x[:, :6, :6], opset, tmp_path)


def test_two_input_graph_with_attention_merges_and_ops(opset, tmp_path):
    ids, numbers = nnkit.Input((6,), dtype="int32"), nnkit.Input((5,))
    embedded = L.Embedding(10, 8, mask_zero=True)(ids)
    h = L.Bidirectional(L.GRU(4, return_sequences=True))(embedded)
    attended = L.MultiHeadAttention(2, 4)(h, h)
    pooled = L.GlobalAveragePooling1D()(L.Add()([attended, h]))
    dense = L.Dense(8)(numbers)
    joined = L.Concatenate()([pooled, dense, L.Multiply()([pooled, dense]),
                              L.Average()([pooled, dense]), L.Maximum()([pooled, dense]),
                              L.Subtract()([pooled, dense])])
    folded = ops.mean(ops.reshape(joined, (-1, 6, 8)), axis=1) * 2.0 + ops.tanh(dense)
    model = nnkit.Model([ids, numbers], [L.Dense(3)(folded), ops.softmax(dense)])
    x = np.random.default_rng(1).normal(size=(6, 5)).astype(np.float32)
    assert_matches_predict(model, [IDS, x], opset, tmp_path)


def test_transformer_classifier(opset, tmp_path):
    model = nnkit.Sequential([nnkit.Input((6,), dtype="int32"),
                              L.TokenAndPositionEmbedding(10, 6, 8, mask_zero=True),
                              L.TransformerEncoder(16, 2),
                              L.TransformerEncoder(16, 2, normalize_first=True),
                              L.GlobalAveragePooling1D(), L.Dense(2)])
    assert_matches_predict(model, IDS, opset, tmp_path)


def test_causal_attention_with_position_embedding(opset, tmp_path):
    inputs = nnkit.Input((6,), dtype="int32")
    x = L.Embedding(10, 8)(inputs)
    x = L.Add()([x, L.PositionEmbedding(6)(x)])
    y = L.MultiHeadAttention(2, 4, value_dim=3, output_shape=5)(x, x, use_causal_mask=True)
    assert_matches_predict(nnkit.Model(inputs, y), IDS, opset, tmp_path)


def test_unsupported_layer_raises_and_leaves_no_file(tmp_path):
    model = sequence_model(L.Lambda(lambda x: x * 2), L.GlobalAveragePooling1D(), masked=False)
    path = tmp_path / "model.onnx"
    with pytest.raises(UnsupportedLayerError, match=r"'lambda.*' \(Lambda\)"):
        model.export(path, format="onnx")
    assert os.listdir(tmp_path) == []
    path.write_bytes(b"old")
    inputs = nnkit.Input((4,))
    op_model = nnkit.Model(inputs, ops.cumsum(inputs, axis=1))
    with pytest.raises(UnsupportedLayerError, match="op 'cumsum'"):
        op_model.export(path, format="onnx")
    assert path.read_bytes() == b"old" and os.listdir(tmp_path) == ["model.onnx"]


def test_export_arguments_are_checked(tmp_path):
    model = sequence_model(L.LSTM(2))
    with pytest.raises(nnkit.InvalidArgumentError, match="format='onnx' only"):
        model.export(tmp_path / "m")
    with pytest.raises(nnkit.InvalidArgumentError, match="opset_version"):
        model.export(tmp_path / "m.onnx", format="onnx", opset_version=9)
    assert os.listdir(tmp_path) == []


def test_import_nnkit_never_imports_onnx():
    code = "import nnkit, sys; nnkit.Sequential(); assert 'onnx' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
