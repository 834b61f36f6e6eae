"""Regularisers (penalty in the loss, hand-written gradients checked in float64) and constraints."""
import json

import numpy as np
import pytest

import nnkit
from nnkit import constraints, regularizers
from nnkit.testing import check_gradients


def regularised_model():
    l1l2 = regularizers.L1L2(l1=0.01, l2=0.02)
    tokens = nnkit.Input((6,), dtype="int32", name="tokens")
    steps = nnkit.Input((5, 3), name="steps")
    a = nnkit.GlobalAveragePooling1D()(nnkit.Embedding(
        12, 3, mask_zero=True, embeddings_regularizer="l2")(tokens))
    b = nnkit.GRU(3, kernel_regularizer="l1", recurrent_regularizer=l1l2,
                  bias_regularizer="l2")(steps)
    c = nnkit.GlobalMaxPooling1D()(nnkit.Conv1D(2, 2, kernel_regularizer=l1l2,
                                                bias_regularizer="l1")(steps))
    d = nnkit.Bidirectional(nnkit.LSTM(2, kernel_regularizer="l2"))(steps)
    out = nnkit.Dense(2, activation="softmax", kernel_regularizer=regularizers.L2(0.1))(
        nnkit.Concatenate()([a, b, c, d]))
    return nnkit.Model([tokens, steps], out)


def data():
    rng = np.random.default_rng(0)
    ids = rng.integers(1, 12, size=(4, 6))
    ids[1, 3:] = 0
    return [ids, rng.normal(size=(4, 5, 3))], rng.integers(0, 2, size=4)


def test_regularised_gradients_match_finite_differences(float64):
    model = regularised_model()
    model.compile("sgd", "sparse_categorical_crossentropy")
    rng = np.random.default_rng(1)
    model.set_weights([rng.uniform(-0.5, 0.5, size=w.shape) for w in model.get_weights()])
    x, y = data()
    errors = check_gradients(model, x, y)
    for weight in ("embeddings", "recurrent_kernel", "bias", "kernel"):
        assert any(name.endswith("/" + weight) for name in errors), weight


def test_penalty_is_in_the_reported_loss():
    model = regularised_model()
    model.compile("sgd", "sparse_categorical_crossentropy")
    x, y = data()
    expected = 0.0
    for layer in model.leaf_layers():
        for key, option in layer.regularizers.items():
            w = layer.get_weights()[list(layer.params).index(key)].astype("float64")
            expected += option.l1 * np.abs(w).sum() + option.l2 * (w * w).sum()
    with_penalty = model.evaluate(x, y, return_dict=True)["loss"]
    for layer in model.leaf_layers():
        layer.regularizers = {}
    assert with_penalty == pytest.approx(model.evaluate(x, y, return_dict=True)["loss"] + expected,
                                        rel=1e-5)
    assert expected > 0


def norms(w, axis=0):
    return np.sqrt((w * w).sum(axis=axis, keepdims=True))


@pytest.mark.parametrize("constraint, reference", [
    (constraints.MaxNorm(1.0), lambda w: w * np.clip(norms(w), 0, 1.0) / (1e-7 + norms(w))),
    (constraints.NonNeg(), lambda w: w * (w >= 0)),
    (constraints.UnitNorm(axis=1), lambda w: w / (1e-7 + norms(w, 1))),
    (constraints.MinMaxNorm(0.5, 1.5, rate=0.7),
     lambda w: w * (0.7 * np.clip(norms(w), 0.5, 1.5) + 0.3 * norms(w)) / (1e-7 + norms(w))),
])
def test_constraints_follow_keras_formulas_after_each_step(constraint, reference):
    model = nnkit.Sequential([nnkit.Dense(4, input_shape=(3,), kernel_constraint=constraint)])
    model.compile(nnkit.optimizers.SGD(0.5), "mse")
    x, y = np.random.default_rng(2).normal(size=(8, 3)), np.random.default_rng(3).normal(size=(8, 4))
    before = model.get_weights()[0]
    model.train_on_batch(x, y, return_dict=True)
    kernel = model.get_weights()[0]
    np.testing.assert_allclose(kernel, reference(kernel.astype("float64")), rtol=1e-5, atol=1e-6)
    assert not np.allclose(kernel, before)


def test_options_round_trip_save_and_load(tmp_path):
    layer = nnkit.LSTM(3, kernel_regularizer="l1", recurrent_constraint="max_norm")
    config = json.loads(json.dumps(layer.get_config()))
    clone = nnkit.LSTM.from_config(config)
    assert isinstance(clone.regularizers["kernel"], regularizers.L1)
    assert isinstance(clone.constraints["recurrent_kernel"], constraints.MaxNorm)
    model = regularised_model()
    model.compile("adam", "sparse_categorical_crossentropy")
    x, y = data()
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "r.h5")
    restored = nnkit.load_model(tmp_path / "r.h5")
    assert restored.evaluate(x, y, return_dict=True) == model.evaluate(x, y, return_dict=True)


def test_unknown_options_are_refused():
    with pytest.raises(nnkit.InvalidArgumentError,
                       match="dropout.*nrecognized keyword arguments passed to Dropout: "
                             r"\{'kernel_regularizer'"):
        nnkit.Dropout(0.5, kernel_regularizer="l2", name="dropout")
    with pytest.raises(nnkit.InvalidArgumentError, match="unknown regularizer 'l3'"):
        nnkit.Dense(2, kernel_regularizer="l3")
    with pytest.raises(nnkit.InvalidArgumentError, match="l2 must be a number >= 0"):
        regularizers.L2(-1.0)
