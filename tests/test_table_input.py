"""Projected embedding rows in predict/evaluate (``nnkit.layers.table_input``): the same outputs
as the GEMM, kept across calls only while the weights are unchanged, never used in training."""
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


@pytest.mark.parametrize("make", [
    lambda: nnkit.LSTM(5, return_sequences=True),
    lambda: nnkit.LSTM(5, return_sequences=True, go_backwards=True),
    lambda: nnkit.GRU(5, return_sequences=True),
    lambda: nnkit.Bidirectional(nnkit.LSTM(3, return_sequences=True))],
    ids=["lstm", "backwards", "gru", "bidirectional"])
def test_predict_with_projected_rows_equals_the_gemm(monkeypatch, make):
    nnkit.set_seed(1)
    model, x = model_of(make()), ids()
    plain = without_projection(monkeypatch, lambda: model.predict(x, batch_size=7))
    first, again = model.predict(x, batch_size=7), model.predict(x, batch_size=7)
    np.testing.assert_allclose(first, plain, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(again, first)
    cells = [layer for layer in model.layers[1].__dict__.values()
             if isinstance(layer, nnkit.layers.Layer)] or [model.layers[1]]
    assert any(getattr(cell, "_table_projection", None) is not None
               for layer in cells for cell in getattr(layer, "cells", []))


def test_changed_weights_discard_the_projected_rows(monkeypatch):
    nnkit.set_seed(2)
    model, x = model_of(nnkit.LSTM(5, return_sequences=True)), ids()
    y = np.random.default_rng(3).integers(0, 2, len(x))
    model.predict(x)                                           # rows projected and kept
    model.fit(x, y, epochs=1, verbose=0)                       # training changes both weights
    after_fit = model.predict(x)
    np.testing.assert_allclose(after_fit, without_projection(monkeypatch, lambda: model.predict(x)),
                               rtol=1e-6, atol=1e-7)
    model.layers[0].params["embeddings"][5] += 1.0             # an edit in place
    edited = model.predict(x)
    np.testing.assert_allclose(edited, without_projection(monkeypatch, lambda: model.predict(x)),
                               rtol=1e-6, atol=1e-7)
    assert not np.allclose(edited, after_fit)
    evaluated = model.evaluate(x, y)                           # evaluate uses them too
    assert evaluated == pytest.approx(without_projection(monkeypatch, lambda: model.evaluate(x, y)))


def test_training_and_calls_outside_predict_never_project():
    nnkit.set_seed(4)
    model, x = model_of(nnkit.LSTM(5, return_sequences=True)), ids()
    model.fit(x, np.zeros(len(x), int), epochs=1, verbose=0)
    model(x)                                                   # a plain call: no fixed weights
    assert getattr(model.layers[1].cells[0], "_table_projection", None) is None
