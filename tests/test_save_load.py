"""Checkpoint round trips: predictions identical, training resumes exactly."""
import numpy as np

import nnkit


def _model():
    model = nnkit.Sequential([nnkit.Dense(8, activation="tanh", input_shape=(5,)),
                              nnkit.Dropout(0.2), nnkit.Dense(3, activation="softmax")])
    model.compile(nnkit.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 5)).astype("float32")
    return x, rng.integers(0, 3, size=64)


def test_load_model_predicts_identically(tmp_path):
    x, y = _data()
    model = _model()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    model.save(tmp_path / "m.h5")
    restored = nnkit.load_model(tmp_path / "m.h5")
    np.testing.assert_array_equal(restored.predict(x), model.predict(x))
    assert [w.shape for w in restored.get_weights()] == [(5, 8), (8,), (8, 3), (3,)]


def test_resumed_training_matches_uninterrupted(tmp_path):
    x, y = _data()
    nnkit.set_seed(7)
    model = _model()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    model.save(tmp_path / "m.h5")
    uninterrupted = model.fit(x, y, epochs=3, batch_size=8, verbose=0).history["loss"]
    resumed = nnkit.load_model(tmp_path / "m.h5")
    assert resumed.optimizer.iterations == 16
    assert resumed.fit(x, y, epochs=3, batch_size=8, verbose=0).history["loss"] == uninterrupted
