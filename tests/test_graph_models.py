"""Graph models (functional API): Keras parity, gradients of the weighted total loss, saving,
exact resume, shared layers, nested models and the errors a user meets."""
import json
import pathlib
import sys

import numpy as np
import pytest

import nnkit
from nnkit.callbacks import BackupAndRestore, Callback
from nnkit.testing import check_gradients, check_padding_invariance

FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(FIXTURES))
from keras_graphs import GRAPHS  # noqa: E402


def keras_weights(model, arrays):
    for layer in model.layers:
        count = len(layer.get_weights())
        if count:
            layer.set_weights([arrays[f"weight/{layer.name}/{i}"] for i in range(count)])


@pytest.mark.parametrize("case", sorted(GRAPHS))
def test_outputs_equal_keras(case):
    arrays = dict(np.load(FIXTURES / "keras" / f"graph_{case}.npz"))
    model, x, _ = GRAPHS[case](nnkit)
    keras_weights(model, arrays)
    outputs = model.predict(x)
    outputs = outputs if isinstance(outputs, list) else [outputs]
    for i, got in enumerate(outputs):
        want = arrays[f"y{i}"]
        # Keras's masked mean of a row without tokens is 0/0 = NaN (and so is all that follows);
        # nnkit's is 0, so those rows are finite here
        defined = np.isfinite(want).all(axis=tuple(range(1, want.ndim)))
        assert np.isfinite(got).all()
        np.testing.assert_allclose(got[defined], want[defined], rtol=2e-5, atol=2e-6)


def compiled(case, loss_weights=None):
    model, x, y = GRAPHS[case](nnkit)
    losses = {"tags_and_features": {"label": "sparse_categorical_crossentropy",
                                    "flag": "binary_crossentropy"},
              "masked_and_unmasked_concat": "sparse_categorical_crossentropy",
              "nested_siamese": "binary_crossentropy"}[case]
    model.compile(nnkit.optimizers.Adam(0.01), losses, metrics=["accuracy"],
                  loss_weights=loss_weights)
    return model, x, y


@pytest.mark.parametrize("case", sorted(GRAPHS))
def test_gradients_of_the_total_loss(case, float64):
    model, x, y = compiled(case, {"label": 0.3, "flag": 2.0}
                           if case == "tags_and_features" else None)
    # Keras's random weights: no relu sits exactly at its kink (zero biases on a zero input would)
    keras_weights(model, dict(np.load(FIXTURES / "keras" / f"graph_{case}.npz")))
    errors = check_gradients(model, x, y, check_inputs=case != "masked_and_unmasked_concat")
    expected = {"tags_and_features": {"shared/kernel", "x['features']"},
                "nested_siamese": {"encoder/enc_1/kernel", "x['left']", "x['right']"},
                "masked_and_unmasked_concat": {"lstm/kernel", "gru/bias"}}[case]
    assert expected <= set(errors)


def test_total_loss_is_the_weighted_sum_and_history_uses_keras_keys():
    model, x, y = compiled("tags_and_features", [0.25, 3.0])
    logs = model.evaluate(x, y, return_dict=True)
    assert set(logs) == {"loss", "label_loss", "flag_loss", "label_accuracy", "flag_accuracy"}
    assert logs["loss"] == pytest.approx(0.25 * logs["label_loss"] + 3.0 * logs["flag_loss"])
    single = nnkit.Model(model.inputs, model.get_layer("label").output)
    single.compile("sgd", "sparse_categorical_crossentropy")
    assert single.evaluate(x, y["label"], return_dict=True)["loss"] == pytest.approx(
        logs["label_loss"], rel=1e-6)
    history = model.fit(x, y, epochs=2, batch_size=2, verbose=0,
                        validation_data=(x, y))
    assert set(history.history) == {f"{prefix}{key}" for prefix in ("", "val_") for key in logs}


def test_shared_layer_gradient_is_the_sum_over_its_calls(float64):
    features = nnkit.Input((3,), name="f")
    shared = nnkit.Dense(3, activation="tanh", name="shared")
    deep = shared(shared(features))          # the same layer at two depths
    out = nnkit.Dense(1, name="out")(nnkit.Add()([deep, shared(features)]))
    model = nnkit.Model(features, out)
    model.compile("sgd", "mse")
    x = np.random.default_rng(0).normal(size=(4, 3))
    check_gradients(model, x, np.zeros((4, 1)))
    assert len(shared.inbound_nodes) == 3
    with pytest.raises(nnkit.InvalidArgumentError, match="3 nodes"):
        shared.output


def test_fan_out_receives_the_sum_of_gradients(float64):
    inputs = nnkit.Input((4,), name="x")
    hidden = nnkit.Dense(3, activation="tanh", name="h")(inputs)
    a = nnkit.Dense(2, name="a")(hidden)
    b = nnkit.Dense(2, name="b")(hidden)
    model = nnkit.Model(inputs, [a, b])
    model.compile("sgd", ["mse", "mse"], loss_weights=[1.0, 0.5])
    x = np.random.default_rng(1).normal(size=(5, 4))
    y = [np.zeros((5, 2)), np.ones((5, 2))]
    check_gradients(model, x, y)


def test_save_load_round_trip_keeps_graph_weights_and_training(tmp_path):
    for case in GRAPHS:
        model, x, y = compiled(case)
        model.fit(x, y, epochs=1, batch_size=2, verbose=0)
        path = tmp_path / f"{case}.h5"
        model.save(path)
        restored = nnkit.load_model(path)
        assert type(restored) is nnkit.models.Functional
        assert json.dumps(restored.get_config()) == json.dumps(model.get_config())
        for a, b in zip(model.get_weights(), restored.get_weights()):
            np.testing.assert_array_equal(a, b)
        expected, got = model.predict(x), restored.predict(x)
        for a, b in zip(expected if isinstance(expected, list) else [expected],
                        got if isinstance(got, list) else [got]):
            np.testing.assert_array_equal(a, b)
        nnkit.set_seed(3)
        after = model.train_on_batch(x, y, return_dict=True)
        nnkit.set_seed(3)
        assert restored.train_on_batch(x, y, return_dict=True) == after  # optimizer state came too


def test_config_round_trip_rebuilds_a_shared_nested_model():
    model, x, _ = GRAPHS["nested_siamese"](nnkit)
    clone = nnkit.Model.from_config(json.loads(json.dumps(model.get_config())))
    clone.set_weights(model.get_weights())
    np.testing.assert_array_equal(clone.predict(x), model.predict(x))
    assert len(clone.get_layer("encoder").inbound_nodes) == 2


class Trace(Callback):
    def __init__(self, stop_at=None):
        super().__init__()
        self.losses, self.stop_at, self.count = [], stop_at, 0

    def on_train_batch_end(self, batch, logs=None):
        self.losses.append(repr(logs["loss"]) + repr(logs["label_loss"]))
        self.count += 1
        if self.count == self.stop_at:
            self.model.stop_training = True


def test_exact_resume_of_a_two_output_graph(tmp_path):
    def data():
        rng = np.random.default_rng(4)
        ids = rng.integers(0, 20, size=(30, 7)).astype("int32")
        return ({"tokens": ids, "features": rng.normal(size=(30, 3))},
                {"label": rng.integers(0, 3, size=30), "flag": rng.integers(0, 2, size=(30, 1))})
    x, y = data()
    nnkit.set_seed(8)
    reference = Trace()
    expected = compiled("tags_and_features")[0].fit(x, y, batch_size=4, epochs=2, verbose=0,
                                                    callbacks=[reference]).history
    path = tmp_path / "backup.h5"
    nnkit.set_seed(8)
    compiled("tags_and_features")[0].fit(x, y, batch_size=4, epochs=2, verbose=0,
                                         callbacks=[Trace(stop_at=11), BackupAndRestore(path, 1)])
    nnkit.set_seed(99)
    second = Trace()
    history = compiled("tags_and_features")[0].fit(x, y, batch_size=4, epochs=2, verbose=0,
                                                   resume_from=path, callbacks=[second]).history
    assert history == expected
    assert reference.losses[-len(second.losses):] == second.losses


def test_feature_extractor_shares_the_trained_weights():
    model, x, _ = GRAPHS["masked_and_unmasked_concat"](nnkit)
    extractor = nnkit.Model(model.inputs, model.get_layer("lstm").output)
    assert extractor.get_layer("lstm") is model.get_layer("lstm")
    before = extractor.predict(x)
    model.get_layer("lstm").params["bias"][...] += 0.5
    assert not np.allclose(extractor.predict(x), before)
    assert before.shape == (4, 6, 4)


def test_sequential_and_model_are_callable_on_arrays_and_as_layers():
    inner = nnkit.Sequential([nnkit.Dense(3, activation="relu", input_shape=(4,)), nnkit.Dense(2)])
    x = np.random.default_rng(5).normal(size=(3, 4)).astype("float32")
    inputs = nnkit.Input((4,))
    outer = nnkit.Model(inputs, nnkit.Dense(1, name="top")(inner(inputs)))
    np.testing.assert_allclose(outer.predict(x), outer.get_layer("top")(inner(x)), rtol=1e-6)
    assert "sequential/dense" not in outer.named_parameters()
    assert {f"{inner.name}/{layer.name}/kernel" for layer in inner.layers} <= \
        set(outer.named_parameters())


def test_predict_follows_the_outputs_structure():
    inputs = nnkit.Input((3,), name="x")
    model = nnkit.Model({"x": inputs}, {"p": nnkit.Dense(2, name="a")(inputs),
                                        "q": nnkit.Dense(1, name="b")(inputs)})
    out = model.predict({"x": np.ones((4, 3))})
    assert set(out) == {"p", "q"} and out["p"].shape == (4, 2) and out["q"].shape == (4, 1)
    model.compile("sgd", {"p": "mse", "q": "mse"})
    assert set(model.evaluate({"x": np.ones((4, 3))}, {"p": np.ones((4, 2)), "q": np.ones((4, 1))},
                              return_dict=True)) == {"loss", "p_loss", "q_loss"}


def test_two_input_two_output_graph_is_padding_invariant():
    model, x, y = compiled("tags_and_features")
    report = check_padding_invariance(model, x, y)
    assert report.ok


# ---- errors ---------------------------------------------------------------------------------
def test_disconnected_graph_names_the_missing_input():
    a, b = nnkit.Input((3,), name="a"), nnkit.Input((3,), name="b")
    out = nnkit.Add()([a, b])
    with pytest.raises(nnkit.InvalidArgumentError, match="disconnected.*needs Input 'b'.*\\['a'\\]"):
        nnkit.Model(a, out)


def test_duplicate_layer_names_are_refused():
    a = nnkit.Input((3,))
    h = nnkit.Dense(2, name="same")(a)
    with pytest.raises(nnkit.InvalidArgumentError, match="unique.*'same'"):
        nnkit.Model(a, nnkit.Dense(2, name="same")(h))


def test_unknown_output_name_in_a_loss_or_metrics_dict_lists_the_valid_names():
    model, _, _ = GRAPHS["tags_and_features"](nnkit)
    with pytest.raises(nnkit.InvalidArgumentError, match="unknown \\['lable'\\].*missing"):
        model.compile("sgd", {"lable": "mse", "flag": "mse"})
    with pytest.raises(nnkit.InvalidArgumentError, match="unknown output names \\['nope'\\].*"
                                                         "\\['label', 'flag'\\]"):
        model.compile("sgd", ["sparse_categorical_crossentropy", "mse"], metrics={"nope": ["accuracy"]})


def test_missing_or_extra_keys_and_wrong_input_shapes_are_named():
    model, x, y = compiled("tags_and_features")
    with pytest.raises(nnkit.InvalidArgumentError, match="missing \\['features'\\]"):
        model.fit({"tokens": x["tokens"]}, y, verbose=0)
    with pytest.raises(nnkit.InvalidArgumentError, match="unknown \\['extra'\\]"):
        model.fit({**x, "extra": x["features"]}, y, verbose=0)
    with pytest.raises(nnkit.InvalidArgumentError, match="y: keys.*missing \\['flag'\\]"):
        model.fit(x, {"label": y["label"]}, verbose=0)
    with pytest.raises(nnkit.ShapeError, match="Input 'features'.*\\(N, 3\\).*\\(5, 4\\)"):
        model.fit({**x, "features": np.ones((5, 4))}, y, verbose=0)
    with pytest.raises(nnkit.InvalidArgumentError, match="2 inputs"):
        model.predict(x["features"])


def test_masked_tensor_into_a_layer_that_cannot_honour_it_fails_at_construction():
    tokens = nnkit.Input((5,), dtype="int32")
    embedded = nnkit.Embedding(10, 3, mask_zero=True)(tokens)
    assert embedded.has_mask
    with pytest.raises(nnkit.InvalidArgumentError, match="cannot honour a mask"):
        nnkit.Flatten()(embedded)


def test_merge_shape_mismatch_names_both_shapes_and_the_layer():
    a, b = nnkit.Input((3,)), nnkit.Input((4,))
    with pytest.raises(nnkit.ShapeError, match="'add_me'.*\\(None, 3\\), \\(None, 4\\)"):
        nnkit.Add(name="add_me")([a, b])
    with pytest.raises(nnkit.ShapeError, match="'cat'.*axis 1"):
        nnkit.Concatenate(axis=1, name="cat")([nnkit.Input((2, 3)), nnkit.Input((2, 4))])


def test_input_is_also_in_nnkit_layers():
    assert nnkit.layers.Input is nnkit.Input and nnkit.layers.InputLayer is nnkit.layers.InputLayer


def test_conv_normalisation_and_shape_layers_save_and_load(tmp_path):
    images = nnkit.Input((6, 6, 2), name="images")
    steps = nnkit.Input((8, 3), name="steps")
    a = nnkit.Flatten()(nnkit.MaxPooling2D()(nnkit.BatchNormalization()(
        nnkit.Conv2D(3, 3, padding="same", activation="relu")(images))))
    b = nnkit.Conv1D(4, 3, padding="causal", dilation_rate=2)(steps)
    b = nnkit.GlobalAveragePooling1D()(nnkit.LayerNormalization()(nnkit.Cropping1D(1)(
        nnkit.AveragePooling1D(2, strides=1, padding="same")(b))))
    c = nnkit.TakeTimestep(-1)(nnkit.Permute((2, 1))(nnkit.RepeatVector(3)(b)))
    d = nnkit.Concatenate()([nnkit.GlobalMaxPooling2D()(images),
                             nnkit.GlobalAveragePooling2D()(nnkit.AveragePooling2D()(images))])
    e = nnkit.GRU(2)(nnkit.SpatialDropout1D(0.2)(nnkit.Masking()(
        nnkit.MaxPooling1D(2, padding="same")(steps))))
    gate = nnkit.TopKSoftmax(2)(nnkit.Dense(4)(nnkit.Concatenate()([a, b, c, d, e])))
    model = nnkit.Model([images, steps], nnkit.Reshape((2, 2))(gate))
    model.compile("adam", "mse")
    rng = np.random.default_rng(6)
    x = [rng.normal(size=(5, 6, 6, 2)), rng.normal(size=(5, 8, 3))]
    model.fit(x, rng.normal(size=(5, 2, 2)), epochs=2, batch_size=2, verbose=0)
    model.save(tmp_path / "layers.h5")
    restored = nnkit.load_model(tmp_path / "layers.h5")
    np.testing.assert_array_equal(model.predict(x), restored.predict(x))


def test_feature_extractor_from_a_built_sequential():
    x = np.random.default_rng(7).integers(1, 30, size=(6, 9))
    x[:2, 5:] = 0
    model = nnkit.Sequential([nnkit.Embedding(30, 4, mask_zero=True, input_shape=(9,)),
                              nnkit.LSTM(5, return_sequences=True, name="lstm"),
                              nnkit.GlobalAveragePooling1D(), nnkit.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, np.arange(6) % 2, epochs=1, verbose=0)
    features = nnkit.Model(model.inputs, model.get_layer("lstm").output)
    expected = model.get_layer("lstm")(model.layers[0](x), mask=x != 0)
    np.testing.assert_allclose(features.predict(x), expected, rtol=1e-6)
    assert model.outputs[0].shape == (None, 2)


def test_layers_are_listed_in_keras_order():
    """Keras 3 lists a graph's layers by depth from the outputs, ties in depth-first order;
    get_weights follows it (these graphs: the order Keras 3.15 printed)."""
    model, _, _ = GRAPHS["tags_and_features"](nnkit)
    assert [layer.name for layer in model.layers] == [
        "tokens", "emb", "features", "mean", "project", "shared", "concat", "hidden", "skip",
        "add", "label", "flag"]
    model, _, _ = GRAPHS["nested_siamese"](nnkit)
    assert [layer.name for layer in model.layers] == [
        "left", "right", "encoder", "sub", "mul", "max", "cos", "avg", "min", "cat", "score"]
