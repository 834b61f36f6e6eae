"""Keras 3's loss-like metrics, Mean and Sum: streamed over batches with and without
sample weights, against the weighted mean of plain NumPy per-sample formulas."""
import json

import numpy as np
import pytest
from test_keras_losses import REFERENCE, data

import nnkit
from nnkit import losses, metrics

# metric class -> (reference name in REFERENCE, sign, constructor arguments)
CASES = {
    "BinaryCrossentropy": ("binary_crossentropy", 1, {}),
    "CategoricalCrossentropy": ("categorical_crossentropy", 1, {}),
    "KLDivergence": ("kl_divergence", 1, {}),
    "Poisson": ("poisson", 1, {}),
    "Hinge": ("hinge", 1, {}),
    "SquaredHinge": ("squared_hinge", 1, {}),
    "CategoricalHinge": ("categorical_hinge", 1, {}),
    "MeanAbsolutePercentageError": ("mean_absolute_percentage_error", 1, {}),
    "MeanSquaredLogarithmicError": ("mean_squared_logarithmic_error", 1, {}),
    "LogCoshError": ("log_cosh", 1, {}),
    "CosineSimilarity": ("cosine_similarity", -1, {}),      # the similarity, not its negative
    "MeanSquaredError": ("mean_squared_error", 1, {}),
    "MeanAbsoluteError": ("mean_absolute_error", 1, {}),
}


def _stream(metric, y, p, weights):
    for rows in (slice(0, 4), slice(4, 9), slice(9, None)):
        metric.update_state(y[rows], p[rows], None if weights is None else weights[rows])
    return metric.result()


@pytest.mark.parametrize("class_name", sorted(CASES))
def test_metric_is_the_weighted_mean_of_the_formula(class_name):
    name, sign, kwargs = CASES[class_name]
    reference, kind = REFERENCE[name]
    y, p = data(kind, shape=(13, 4), seed=11)
    values = sign * reference(y, p)
    weights = np.random.default_rng(12).uniform(0, 2, size=13)
    metric = getattr(metrics, class_name)(**kwargs)
    assert _stream(metric, y, p, None) == pytest.approx(values.mean(), rel=1e-6)
    metric.reset_state()
    assert metric.result() == 0.0
    assert _stream(metric, y, p, weights) == pytest.approx(
        (values * weights).sum() / weights.sum(), rel=1e-6)


def test_sequence_values_with_per_sample_and_per_step_weights():
    reference, _ = REFERENCE["kl_divergence"]
    y, p = data("distribution", shape=(6, 5, 3), seed=13)
    values = reference(y, p)                                   # (6, 5)
    per_sample = np.arange(1.0, 7.0)
    metric = metrics.KLDivergence()
    metric.update_state(y, p, sample_weight=per_sample)
    assert metric.result() == pytest.approx((values * per_sample[:, None]).sum()
                                            / (5 * per_sample.sum()), rel=1e-6)
    per_step = np.random.default_rng(14).uniform(0, 1, size=(6, 5))
    metric.reset_state()
    metric.update_state(y, p, sample_weight=per_step)
    assert metric.result() == pytest.approx((values * per_step).sum() / per_step.sum(), rel=1e-6)


def test_cross_entropy_metrics_from_logits_and_sparse_labels():
    rng = np.random.default_rng(15)
    z = rng.normal(size=(9, 4)) * 3
    labels = rng.integers(0, 4, size=9)
    log_p = z - np.log(np.exp(z).sum(-1, keepdims=True))
    expected = -log_p[np.arange(9), labels].mean()
    sparse = metrics.SparseCategoricalCrossentropy(from_logits=True)
    sparse.update_state(labels, z)
    assert sparse.result() == pytest.approx(expected, rel=1e-9)
    dense = metrics.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2)
    dense.update_state(np.eye(4)[labels], z)
    smoothed = np.eye(4)[labels] * 0.8 + 0.05
    assert dense.result() == pytest.approx(-(smoothed * log_p).sum(-1).mean(), rel=1e-9)
    ignoring = metrics.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0)
    ignoring.update_state(labels, z, sample_weight=np.full(9, 2.0))
    kept = labels != 0
    assert ignoring.result() == pytest.approx(-log_p[np.arange(9), labels][kept].mean(), rel=1e-9)


def test_mean_and_sum_follow_keras():
    mean = metrics.Mean()
    mean.update_state([1, 3, 5, 7])
    mean.update_state([[2.0, 4.0]], sample_weight=[3.0])       # one sample, value 3, weight 3
    assert mean.result() == pytest.approx((16 + 9) / 7)
    total = metrics.Sum()
    total.update_state([[1.0, 2.0], [3.0, 4.0]], sample_weight=[1.0, 0.5])
    assert total.result() == pytest.approx(3.0 + 3.5)
    mean.reset_state()
    assert mean.result() == 0.0
    with pytest.raises(nnkit.InvalidArgumentError, match="cannot be a compile"):
        metrics.get("mean", losses.get("mse"))


def test_compile_takes_names_instances_and_functions():
    rng = np.random.default_rng(16)
    x = rng.normal(size=(10, 3))
    y = np.eye(3)[rng.integers(0, 3, size=10)]
    model = nnkit.Sequential([nnkit.Dense(3, activation="softmax", input_shape=(3,))])
    model.compile("sgd", "categorical_crossentropy",
                  metrics=["kl_divergence", "mape", "categorical_hinge", "log_cosh_error",
                           metrics.CosineSimilarity(name="cos"), losses.poisson])
    model.fit(x, y, epochs=1, verbose=0)
    logs = model.evaluate(x, y, batch_size=10, verbose=0, return_dict=True)
    p = model.predict(x, verbose=0).astype(float)
    assert logs["kl_divergence"] == pytest.approx(REFERENCE["kl_divergence"][0](y, p).mean(),
                                                  rel=1e-4)
    assert logs["mape"] == pytest.approx(
        REFERENCE["mean_absolute_percentage_error"][0](y, p).mean(), rel=1e-4)
    assert logs["cos"] == pytest.approx(-REFERENCE["cosine_similarity"][0](y, p).mean(), rel=1e-4)
    assert logs["poisson"] == pytest.approx(REFERENCE["poisson"][0](y, p).mean(), rel=1e-4)
    assert {"categorical_hinge", "log_cosh_error"} <= set(logs)


def test_custom_metric_function_on_host_arrays():
    def largest_error(y_true, y_pred):
        return np.abs(y_true - y_pred).max(axis=-1)
    metric = metrics.get(largest_error, losses.get("mse"))
    metric.update_state([[0.0, 1.0], [2.0, 2.0]], [[0.5, 0.0], [2.0, 2.5]])
    assert metric.name == "largest_error" and metric.result() == pytest.approx(0.75)


@pytest.mark.parametrize("metric", [
    metrics.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
    metrics.CategoricalCrossentropy(name="cce", axis=-1),
    metrics.SparseCategoricalCrossentropy(ignore_class=3), metrics.KLDivergence(),
    metrics.CosineSimilarity(axis=-1), metrics.LogCoshError(), metrics.Mean(name="m"),
    metrics.Sum(), metrics.MeanMetricWrapper(losses.huber, delta=2.0)],
    ids=lambda metric: type(metric).__name__)
def test_config_round_trip(metric):
    stored = json.loads(json.dumps(metrics.serialize(metric)))
    again = metrics.get(stored, losses.get("mse")) if type(metric) not in (
        metrics.Mean, metrics.Sum) else type(metric).from_config(stored["config"])
    assert type(again) is type(metric) and again.get_config() == metric.get_config()


def test_names_are_keras_names():
    assert metrics.LogCoshError().name == "logcosh"
    assert metrics.KLDivergence().name == "kl_divergence"
    assert metrics.get("msle", losses.get("mse")).name == "msle"        # the string given
    assert type(metrics.get("log_cosh_error", losses.get("mse"))) is metrics.LogCoshError
    with pytest.raises(nnkit.InvalidArgumentError, match="unknown arguments"):
        metrics.KLDivergence(from_logits=True)
