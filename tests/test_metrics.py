"""Metrics: Keras 3's values on random predictions (streamed in batches, with and without
sample weights), AUC against an exact ROC computation, masks and weights in fit, resume."""
import json
import pathlib

import numpy as np
import pytest

import nnkit
from nnkit import metrics

FIXTURE = pathlib.Path(__file__).resolve().parent / "fixtures" / "keras" / "metrics.npz"


@pytest.fixture(scope="module")
def keras_metrics():
    arrays = dict(np.load(FIXTURE))
    return arrays, json.loads(str(arrays["spec"]))["cases"]


def test_every_metric_equals_keras_over_three_batches(keras_metrics):
    arrays, cases = keras_metrics
    weights = arrays["sample_weight"]
    for case, (name, kwargs, kind) in cases.items():
        y_true, y_pred = arrays[f"{kind}/y_true"], arrays[f"{kind}/y_pred"]
        for weighted in (False, True):
            metric = getattr(metrics, name)(**kwargs)
            for rows in (slice(0, 15), slice(15, 31), slice(31, len(y_true))):
                metric.update_state(y_true[rows], y_pred[rows],
                                    sample_weight=weights[rows] if weighted else None)
            expected = arrays[f"{case}/{'weighted' if weighted else 'plain'}"]
            assert metric.result() == pytest.approx(float(expected), rel=2e-5, abs=2e-6), \
                f"{case} weighted={weighted}"
            metric.reset_state()
            assert metric.result() == 0.0


def exact_roc_auc(y_true, scores):
    """P(score of a positive > score of a negative) + ½ P(tie): the area under the exact ROC."""
    positives, negatives = scores[y_true == 1], scores[y_true == 0]
    greater = (positives[:, None] > negatives[None, :]).sum()
    ties = (positives[:, None] == negatives[None, :]).sum()
    return (greater + 0.5 * ties) / (len(positives) * len(negatives))


def test_auc_approaches_the_exact_roc_area():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, size=2000)
    scores = np.clip(rng.normal(0.35 + 0.3 * y, 0.2), 0, 1)
    metric = metrics.AUC(num_thresholds=1000)
    for rows in np.array_split(np.arange(2000), 7):          # state merges across batches
        metric.update_state(y[rows], scores[rows])
    assert metric.result() == pytest.approx(exact_roc_auc(y, scores), abs=2e-3)


def test_top_k_counts_ties_at_the_boundary_as_in():
    metric = metrics.SparseTopKCategoricalAccuracy(k=1)
    metric.update_state([1, 0], [[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]])
    assert metric.result() == 0.5


def test_metrics_by_name_in_fit_with_masks_and_resume(tmp_path):
    x = np.random.default_rng(1).integers(1, 20, size=(40, 6))
    x[::3, 4:] = 0
    y = (x[:, 0] > 10).astype(int)
    names = ["accuracy", "auc", "precision", "recall", nnkit.metrics.AUC(curve="PR")]

    def model():
        nnkit.set_seed(2)
        m = nnkit.Sequential([nnkit.Embedding(20, 4, mask_zero=True, input_shape=(6,)),
                              nnkit.GlobalAveragePooling1D(),
                              nnkit.Dense(1, activation="sigmoid")])
        m.compile("adam", "binary_crossentropy", metrics=names)
        return m

    trained = model()
    history = trained.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert set(history.history) == {"loss", "accuracy", "auc", "precision", "recall", "auc_1"}
    assert trained.metrics_names == ["loss", "accuracy", "auc", "precision", "recall", "auc_1"]
    logs = trained.evaluate(x, y, batch_size=7, return_dict=True)
    probability = trained.predict(x)[:, 0]
    assert logs["auc"] == pytest.approx(exact_roc_auc(y, probability), abs=0.02)
    assert logs["precision"] == pytest.approx(
        ((probability > 0.5) & (y == 1)).sum() / max((probability > 0.5).sum(), 1), abs=1e-6)
    trained.save(tmp_path / "m.h5")
    restored = nnkit.load_model(tmp_path / "m.h5")
    assert restored.evaluate(x, y, batch_size=7, return_dict=True) == logs
    # a run interrupted mid-epoch and resumed gives the same running metrics
    reference = model().fit(x, y, batch_size=8, epochs=2, verbose=0).history
    backup = nnkit.callbacks.BackupAndRestore(tmp_path / "backup.h5", save_freq=2)

    class Stop(nnkit.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 2:
                self.model.stop_training = True
    model().fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[Stop(), backup])
    resumed = model().fit(x, y, batch_size=8, epochs=2, verbose=0,
                          resume_from=tmp_path / "backup.h5").history
    assert resumed == reference


def test_bad_metric_arguments():
    with pytest.raises(nnkit.InvalidArgumentError, match="unknown metric 'acuracy'"):
        metrics.get("acuracy", nnkit.losses.get("mse"))
    with pytest.raises(nnkit.InvalidArgumentError, match="curve must be"):
        metrics.AUC(curve="DET")
    with pytest.raises(nnkit.InvalidArgumentError, match="average must be"):
        metrics.F1Score(average=None)
    with pytest.raises(nnkit.InvalidArgumentError, match="sample_weight of shape"):
        metrics.BinaryAccuracy().update_state([[1]], [[0.7]], sample_weight=[1.0, 2.0])
