"""Projected embedding rows in predict/evaluate (``nnkit.layers.table_input``): the same outputs
as the GEMM, used through the inference plan of one call, kept by the model only while the
weights equal those they came from, never used in training."""
import numpy as np
import pytest

import nnkit
from nnkit.layers import table_input


def ids(n=30, t=9, vocab=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.integers(1, vocab, size=(n, t))
    lengths = rng.integers(1, t + 1, size=n)
    x[np.arange(t)[None, :] >= lengths[:, None]] = 0
    return x


def model_of(recurrent):
    model = nnkit.Sequential([nnkit.Embedding(40, 6, mask_zero=True), recurrent,
                              nnkit.GlobalAveragePooling1D(), nnkit.Dense(2, activation="softmax")])
    model.compile(nnkit.optimizers.Adadelta(1.0), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def without_projection(monkeypatch, function):
    with monkeypatch.context() as patch:
        patch.setattr(table_input, "MAX_PROJECTED_BYTES", 0)
        return function()


@pytest.fixture
def projected(monkeypatch):
    """Counts the projections made (``Projection.rows`` calls that projected)."""
    calls = []
    original = table_input.Projection.rows

    def rows(self, ids):
        result = original(self, ids)
        calls.append(result is not None)
        return result
    monkeypatch.setattr(table_input.Projection, "rows", rows)
    return calls


@pytest.mark.parametrize("make", [
    lambda: nnkit.LSTM(5, return_sequences=True),
    lambda: nnkit.LSTM(5, return_sequences=True, go_backwards=True),
    lambda: nnkit.GRU(5, return_sequences=True),
    lambda: nnkit.Bidirectional(nnkit.LSTM(3, return_sequences=True))],
    ids=["lstm", "backwards", "gru", "bidirectional"])
def test_predict_with_projected_rows_equals_the_gemm(monkeypatch, projected, make):
    nnkit.set_seed(1)
    model, x = model_of(make()), ids()
    plain = without_projection(monkeypatch, lambda: model.predict(x, batch_size=7))
    projected.clear()
    first, again = model.predict(x, batch_size=7), model.predict(x, batch_size=7)
    np.testing.assert_allclose(first, plain, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(again, first)
    assert projected and all(projected)
    layers = [model.layers[1], *getattr(model.layers[1], "children", dict)().values()]
    for layer in layers:                                       # nothing kept on a layer
        for owner in [layer, *getattr(layer, "cells", [])]:
            assert not any(isinstance(value, (table_input.Projection, table_input.TableInput))
                           for value in vars(owner).values())


def test_each_call_projects_from_the_weights_of_that_call(monkeypatch):
    nnkit.set_seed(2)
    model, x = model_of(nnkit.LSTM(5, return_sequences=True)), ids()
    y = np.random.default_rng(3).integers(0, 2, len(x))
    model.predict(x)
    model.fit(x, y, epochs=1, verbose=0)                       # training changes both weights
    after_fit = model.predict(x)
    np.testing.assert_allclose(after_fit, without_projection(monkeypatch, lambda: model.predict(x)),
                               rtol=1e-6, atol=1e-7)
    model.layers[0].params["embeddings"][5] += 1.0             # an edit in place
    edited = model.predict(x)
    np.testing.assert_allclose(edited, without_projection(monkeypatch, lambda: model.predict(x)),
                               rtol=1e-6, atol=1e-7)
    assert not np.allclose(edited, after_fit)
    evaluated = model.evaluate(x, y, return_dict=True)       # evaluate uses them too
    assert evaluated == pytest.approx(
        without_projection(monkeypatch, lambda: model.evaluate(x, y, return_dict=True)))


def test_the_model_keeps_projections_only_for_the_weights_they_came_from():
    nnkit.set_seed(5)
    model, x = model_of(nnkit.LSTM(5, return_sequences=True)), ids()
    store = model._projections
    model.predict(x)
    (cell, first), = store._by_cell.items()
    assert first.done.any()
    model.predict(x)
    assert store._by_cell[cell] is first                       # equal weights: reused
    model.layers[1].params["kernel"][0, 0] += 1.0              # the recurrent kernel's input part
    model.predict(x)
    assert store._by_cell[cell] is not first
    other = model_of(nnkit.LSTM(5, return_sequences=True))
    assert other._projections is not store and not other._projections._by_cell


def test_training_and_calls_outside_predict_never_project(projected):
    nnkit.set_seed(4)
    model, x = model_of(nnkit.LSTM(5, return_sequences=True)), ids()
    model.fit(x, np.zeros(len(x), int), epochs=1, verbose=0)
    model(x)                                                   # a plain call: no plan
    model.train_on_batch(x, np.zeros(len(x), int), return_dict=True)
    assert projected == []
    model.predict(x)
    assert projected


def test_the_plan_finds_only_embedding_to_recurrent_edges():
    inputs = nnkit.Input((None,), dtype="int32")
    embedded = nnkit.Embedding(40, 6, mask_zero=True)(inputs)
    direct = nnkit.LSTM(4)(embedded)
    through_dense = nnkit.LSTM(4)(nnkit.Dense(6)(embedded))
    model = nnkit.Model(inputs, nnkit.Concatenate()([direct, through_dense]))
    plan = model.inference_plan()
    assert [node.layer for node in plan.table_edges] == [direct.node.layer]
    assert model.inference_plan().table_edges is not plan.table_edges   # one plan per call
