"""Keras 3's losses: functions and classes against plain NumPy formulas and Keras's
documented numbers, reductions and sample weights, per-entry gradients checked
numerically in float64, training with every name, and configs."""
import json

import numpy as np
import pytest
from numeric import numeric_grad

import nnkit
from nnkit import losses

EPS = 1e-7


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _smooth(y, amount, classes):
    return y * (1 - amount) + amount / classes


# name -> (per-sample NumPy reference f(y_true, y_pred), kind of data); written plainly from
# the formulas in Keras's docstrings (keras/src/losses/losses.py, numpy backend nn.py)
REFERENCE = {
    "mean_squared_error": (lambda y, p: ((y - p) ** 2).mean(-1), "real"),
    "mean_absolute_error": (lambda y, p: np.abs(y - p).mean(-1), "real"),
    "mean_absolute_percentage_error":
        (lambda y, p: 100 * (np.abs(y - p) / np.maximum(np.abs(y), EPS)).mean(-1), "real"),
    "mean_squared_logarithmic_error":
        (lambda y, p: ((np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(y, EPS) + 1)) ** 2
                       ).mean(-1), "positive"),
    "huber": (lambda y, p: np.where(np.abs(p - y) <= 1, 0.5 * (p - y) ** 2,
                                    np.abs(p - y) - 0.5).mean(-1), "real"),
    "log_cosh": (lambda y, p: np.log(np.cosh(p - y)).mean(-1), "real"),
    "cosine_similarity":
        (lambda y, p: -(y * p).sum(-1) / np.linalg.norm(y, axis=-1) / np.linalg.norm(p, axis=-1),
         "real"),
    "kl_divergence":
        (lambda y, p: (np.clip(y, EPS, 1) * np.log(np.clip(y, EPS, 1) / np.clip(p, EPS, 1))
                       ).sum(-1), "distribution"),
    "poisson": (lambda y, p: (p - y * np.log(p + EPS)).mean(-1), "positive"),
    "hinge": (lambda y, p: np.maximum(1 - (2 * y - 1) * p, 0).mean(-1), "binary"),
    "squared_hinge": (lambda y, p: (np.maximum(1 - (2 * y - 1) * p, 0) ** 2).mean(-1), "binary"),
    "categorical_hinge":
        (lambda y, p: np.maximum(((1 - y) * p).max(-1) - (y * p).sum(-1) + 1, 0), "onehot"),
    "binary_crossentropy":
        (lambda y, p: -(y * np.log(np.clip(p, EPS, 1 - EPS))
                        + (1 - y) * np.log(1 - np.clip(p, EPS, 1 - EPS))).mean(-1), "binary"),
    "categorical_crossentropy":
        (lambda y, p: -(y * np.log(np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS))).sum(-1),
         "onehot"),
}


def data(kind, shape=(6, 4), seed=0):
    """``(y_true, y_pred)`` float64 arrays of one kind."""
    rng = np.random.default_rng(seed)
    if kind == "real":
        return rng.normal(size=shape), rng.normal(size=shape)
    if kind == "positive":
        return rng.uniform(0.1, 3, size=shape), rng.uniform(0.1, 3, size=shape)
    if kind == "binary":
        return rng.integers(0, 2, size=shape).astype(float), rng.uniform(0.05, 0.95, size=shape)
    if kind == "distribution":
        return _softmax(rng.normal(size=shape)), _softmax(rng.normal(size=shape))
    labels = rng.integers(0, shape[-1], size=shape[:-1])
    return np.eye(shape[-1])[labels], _softmax(rng.normal(size=shape))


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_functions_and_classes_equal_the_numpy_formulas(name):
    reference, kind = REFERENCE[name]
    y, p = data(kind, shape=(5, 3, 4))
    function = getattr(losses, name)
    np.testing.assert_allclose(function(y, p), reference(y, p), rtol=1e-10, atol=1e-12)
    loss = losses.get(name)
    expected = reference(y, p)
    weights = np.arange(1.0, 6.0)
    assert float(loss(y, p)) == pytest.approx(expected.mean(), rel=1e-6)
    assert float(loss(y, p, sample_weight=weights)) == pytest.approx(
        (expected * weights[:, None]).sum() / expected.size, rel=1e-6)


def test_cross_entropies_from_logits_and_label_smoothing():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(7, 5)) * 4
    labels = rng.integers(0, 5, size=7)
    one_hot = np.eye(5)[labels]
    log_p = np.log(_softmax(z))
    np.testing.assert_allclose(losses.categorical_crossentropy(one_hot, z, from_logits=True),
                               -(one_hot * log_p).sum(-1), rtol=1e-10)
    np.testing.assert_allclose(
        losses.categorical_crossentropy(one_hot, z, from_logits=True, label_smoothing=0.2),
        -(_smooth(one_hot, 0.2, 5) * log_p).sum(-1), rtol=1e-10)
    np.testing.assert_allclose(losses.sparse_categorical_crossentropy(labels, z, from_logits=True),
                               -log_p[np.arange(7), labels], rtol=1e-10)
    np.testing.assert_allclose(losses.sparse_categorical_crossentropy(labels[:, None], _softmax(z)),
                               -np.log(np.clip(_softmax(z)[np.arange(7), labels], EPS, 1)),
                               rtol=1e-6)
    y = rng.integers(0, 2, size=(7, 3)).astype(float)
    logits = rng.normal(size=(7, 3)) * 3
    sigmoid = 1 / (1 + np.exp(-logits))
    smoothed = y * 0.9 + 0.05
    np.testing.assert_allclose(
        losses.binary_crossentropy(y, logits, from_logits=True, label_smoothing=0.1),
        -(smoothed * np.log(sigmoid) + (1 - smoothed) * np.log(1 - sigmoid)).mean(-1),
        rtol=1e-10)
    # huge logits stay finite (log-sum-exp, stable sigmoid cross-entropy)
    assert np.isfinite(losses.categorical_crossentropy([[0, 1]], [[1e4, -1e4]], from_logits=True)
                       ).all()
    assert losses.binary_crossentropy([[1.0]], [[-800.0]], from_logits=True)[0] == \
        pytest.approx(800.0)


def test_axis_moves_the_class_axis():
    rng = np.random.default_rng(2)
    y, p = data("onehot", shape=(3, 4, 5))
    moved_y, moved_p = np.moveaxis(y, -1, 1), np.moveaxis(p, -1, 1)
    np.testing.assert_allclose(losses.categorical_crossentropy(moved_y, moved_p, axis=1),
                               losses.categorical_crossentropy(y, p), rtol=1e-10)
    a, b = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    np.testing.assert_allclose(losses.cosine_similarity(a, b, axis=0),
                               REFERENCE["cosine_similarity"][0](a.T, b.T), rtol=1e-10)


def test_keras_documented_numbers():
    # keras.io / docstrings of Keras 3's classes and functions
    cce = losses.CategoricalCrossentropy()
    y, p = [[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]
    assert float(cce(y, p)) == pytest.approx(1.177, abs=1e-3)
    assert float(cce(y, p, sample_weight=[0.3, 0.7])) == pytest.approx(0.814, abs=1e-3)
    assert float(losses.CategoricalCrossentropy(reduction="sum")(y, p)) == pytest.approx(2.354,
                                                                                          abs=1e-3)
    np.testing.assert_allclose(losses.CategoricalCrossentropy(reduction=None)(y, p),
                               [0.0513, 2.303], atol=1e-3)
    assert float(losses.SparseCategoricalCrossentropy()([1, 2], p)) == pytest.approx(1.177,
                                                                                     abs=1e-3)
    mse = losses.MeanSquaredError()
    y, p = [[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]]
    assert float(mse(y, p)) == pytest.approx(0.5)
    assert float(mse(y, p, sample_weight=[0.7, 0.3])) == pytest.approx(0.25)
    assert float(losses.MeanSquaredError(reduction="sum")(y, p)) == pytest.approx(1.0)
    assert float(losses.MeanSquaredError(reduction="mean_with_sample_weight")(
        y, p, sample_weight=[0.7, 0.3])) == pytest.approx(0.5)
    assert float(losses.Huber()([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])) == pytest.approx(
        0.155, abs=1e-6)
    assert float(losses.LogCosh()([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]])) == \
        pytest.approx(0.108, abs=1e-3)
    np.testing.assert_allclose(
        losses.cosine_similarity([[0., 1.], [1., 1.], [1., 1.]], [[1., 0.], [1., 1.], [-1., -1.]]),
        [0.0, -1.0, 1.0], atol=1e-7)
    assert float(losses.BinaryCrossentropy()([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])) == \
        pytest.approx(0.815, abs=1e-3)
    assert losses.Huber()(y, p).dtype == np.float32          # Keras: the loss's dtype, floatx


def test_ignore_class_is_left_out_of_the_mean():
    p = np.array([[0.5, 0.3, 0.2], [0.1, 0.1, 0.8], [0.2, 0.2, 0.6]])
    labels = np.array([0, -1, 2])
    loss = losses.SparseCategoricalCrossentropy(ignore_class=-1)
    assert float(loss(labels, p)) == pytest.approx(-(np.log(0.5) + np.log(0.6)) / 2, rel=1e-6)
    values = losses.sparse_categorical_crossentropy(labels, p, ignore_class=-1)
    np.testing.assert_allclose(values, [-np.log(0.5), 0.0, -np.log(0.6)], rtol=1e-6)
    # sequences (N, T) with per-sample weights: the mean over the valid steps only
    steps = np.stack([p[:2], p[[2, 0]]])                       # (2, 2, 3)
    labels = np.array([[0, -1], [2, 1]])
    picked = -np.log(np.take_along_axis(steps, np.where(labels < 0, 0, labels)[..., None], -1))
    weights = np.array([1.0, 3.0])
    expected = (picked[..., 0] * weights[:, None])[labels >= 0].sum() / 3
    assert float(loss(labels, steps, sample_weight=weights)) == pytest.approx(expected, rel=1e-6)


# class -> constructor arguments, data kind, sparse labels
GRADIENT_CASES = {
    "mse": (losses.MeanSquaredError, {}, "real"),
    "mae": (losses.MeanAbsoluteError, {}, "real"),
    "mape": (losses.MeanAbsolutePercentageError, {}, "real"),
    "msle": (losses.MeanSquaredLogarithmicError, {}, "positive"),
    "huber": (losses.Huber, {"delta": 0.7}, "real"),
    "log_cosh": (losses.LogCosh, {}, "real"),
    "cosine": (losses.CosineSimilarity, {}, "real"),
    "kld": (losses.KLDivergence, {}, "distribution"),
    "poisson": (losses.Poisson, {}, "positive"),
    "hinge": (losses.Hinge, {}, "binary"),
    "squared_hinge": (losses.SquaredHinge, {}, "binary"),
    "categorical_hinge": (losses.CategoricalHinge, {}, "onehot"),
    "bce": (losses.BinaryCrossentropy, {"label_smoothing": 0.1}, "binary"),
    "bce_logits": (losses.BinaryCrossentropy, {"from_logits": True}, "binary"),
    "cce": (losses.CategoricalCrossentropy, {"label_smoothing": 0.1}, "onehot"),
    "cce_logits": (losses.CategoricalCrossentropy, {"from_logits": True}, "onehot"),
    "scce": (losses.SparseCategoricalCrossentropy, {}, "sparse"),
    "scce_logits": (losses.SparseCategoricalCrossentropy, {"from_logits": True}, "sparse"),
    "scce_ignore": (losses.SparseCategoricalCrossentropy, {"ignore_class": 1}, "sparse"),
}


def _gradient_data(kind, shape, seed):
    if kind != "sparse":
        return data(kind, shape, seed)
    rng = np.random.default_rng(seed)
    return rng.integers(0, shape[-1], size=shape[:-1]), _softmax(rng.normal(size=shape))


@pytest.mark.parametrize("case", sorted(GRADIENT_CASES))
def test_per_entry_gradient_is_the_numerical_gradient(case, float64):
    cls, kwargs, kind = GRADIENT_CASES[case]
    loss = cls(**kwargs)
    y, p = _gradient_data(kind, (3, 2, 4), seed=3)
    if kind == "real":     # keep |p - y| away from the kinks of mae, huber and mape
        p = y + np.sign(p - y) * (0.2 + np.abs(p - y))
    if case.endswith("logits") or case == "hinge" or case == "squared_hinge":
        p = np.random.default_rng(4).normal(size=p.shape) * 2
    if case in ("cce", "scce", "scce_ignore"):      # rows not summing to one: Keras rescales
        p = p * 1.7
    projection = np.random.default_rng(5).normal(size=p.shape[:-1])

    def objective():
        return float((loss.per_entry(np, p, y) * projection).sum())

    analytic = loss.per_entry_grad(np, p, y) * projection[..., None]
    np.testing.assert_allclose(analytic, numeric_grad(objective, p), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "mean_with_sample_weight"])
def test_training_forward_and_backward_follow_the_reduction(reduction, float64):
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0,
                                                reduction=reduction)
    rng = np.random.default_rng(6)
    z = rng.normal(size=(4, 3, 5))
    labels = rng.integers(0, 5, size=(4, 3))
    labels[0, 0] = 0
    weights = rng.uniform(0.5, 2, size=(4, 3))
    normaliser = 12.0
    value = loss.forward(z, labels, weights, normaliser)
    per_entry = losses.sparse_categorical_crossentropy(labels, z, from_logits=True)
    valid = labels != 0
    divisor = {"sum_over_batch_size": normaliser * valid.sum() / valid.size, "sum": 1.0,
               "mean_with_sample_weight": (weights * valid).sum()}[reduction]
    assert value == pytest.approx((per_entry * weights * valid).sum() / divisor, rel=1e-10)
    grad = loss.backward()
    expected = numeric_grad(lambda: loss.forward(z, labels, weights, normaliser), z)
    np.testing.assert_allclose(grad, expected, rtol=1e-5, atol=1e-8)


# compile's loss name -> the formula in REFERENCE it names
KERAS_NAMES = {"mse": "mean_squared_error", "mean_squared_error": "mean_squared_error",
               "mae": "mean_absolute_error", "MeanAbsoluteError": "mean_absolute_error",
               "mape": "mean_absolute_percentage_error",
               "msle": "mean_squared_logarithmic_error", "huber": "huber", "huber_loss": "huber",
               "log_cosh": "log_cosh", "logcosh": "log_cosh", "kl_divergence": "kl_divergence",
               "kld": "kl_divergence", "KLDivergence": "kl_divergence", "poisson": "poisson",
               "cosine_similarity": "cosine_similarity", "hinge": "hinge",
               "squared_hinge": "squared_hinge", "categorical_hinge": "categorical_hinge",
               "binary_crossentropy": "binary_crossentropy",
               "categorical_crossentropy": "categorical_crossentropy"}


@pytest.mark.parametrize("name", sorted(KERAS_NAMES))
def test_compile_takes_every_keras_name_and_evaluate_equals_the_formula(name):
    rng = np.random.default_rng(7)
    x = rng.normal(size=(12, 4)).astype(np.float32)
    y = np.eye(3)[rng.integers(0, 3, size=12)]
    model = nnkit.Sequential([nnkit.Dense(3, activation="softmax", input_shape=(4,))])
    model.compile("sgd", name)
    history = model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    loss = model.evaluate(x, y, batch_size=12, verbose=0, return_dict=True)["loss"]
    reference, _ = REFERENCE[KERAS_NAMES[name]]
    assert loss == pytest.approx(reference(y, model.predict(x, verbose=0).astype(float)).mean(),
                                 rel=1e-4, abs=1e-6)


def test_compile_takes_instances_classes_functions_and_configs():
    model = nnkit.Sequential([nnkit.Dense(3, input_shape=(4,))])
    for spec, expected in [(losses.Huber(delta=2.0), losses.Huber),
                           (losses.Poisson, losses.Poisson),
                           (losses.categorical_hinge, losses.CategoricalHinge)]:
        model.compile("sgd", spec)
        assert type(model.loss) is expected
    config = {"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}}
    assert losses.get(config).from_logits
    model.compile("sgd", losses.SparseCategoricalCrossentropy(from_logits=True))
    x = np.random.default_rng(8).normal(size=(6, 4))
    model.fit(x, np.arange(6) % 3, epochs=1, verbose=0)


def test_unknown_and_custom_losses_are_refused_clearly():
    with pytest.raises(nnkit.InvalidArgumentError, match="unknown loss 'hingee'.*hinge"):
        losses.get("hingee")
    with pytest.raises(nnkit.InvalidArgumentError, match="cannot differentiate a custom loss"):
        losses.get(lambda y_true, y_pred: (y_true - y_pred) ** 2)
    with pytest.raises(nnkit.InvalidArgumentError, match="reduction"):
        losses.MeanSquaredError(reduction="average")
    with pytest.raises(nnkit.InvalidArgumentError, match="label_smoothing"):
        losses.CategoricalCrossentropy(label_smoothing=2)
    with pytest.raises(nnkit.ShapeError, match="same shape"):
        losses.categorical_crossentropy(np.ones((2, 3)), np.ones((2, 4)))
    with pytest.raises(nnkit.InvalidArgumentError, match="training needs a scalar"):
        losses.MeanSquaredError(reduction=None).forward(np.ones((2, 3)), np.ones((2, 3)))


def test_configs_round_trip_and_old_checkpoint_names_still_load():
    every = [losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1, name="b"),
             losses.CategoricalCrossentropy(axis=1), losses.Huber(delta=3.0),
             losses.SparseCategoricalCrossentropy(ignore_class=0, reduction="sum"),
             losses.CosineSimilarity(axis=0), losses.LogCosh(), losses.KLDivergence(),
             losses.MeanAbsolutePercentageError(reduction="mean_with_sample_weight")]
    for loss in every:
        stored = json.loads(json.dumps(losses.serialize(loss)))
        again = losses.get(stored)
        assert type(again) is type(loss) and again.get_config() == loss.get_config()
    assert losses.serialize(losses.MeanSquaredError()) == "mean_squared_error"
    assert type(losses.get("mse")) is losses.MeanSquaredError   # what nnkit's files store
    assert losses.MeanSquaredError().name == "mean_squared_error"
    assert losses.Huber().name == "huber_loss" and losses.LogCosh().name == "log_cosh"
