"""NaNGuard: names where a non-finite value appeared, rolls back, recovers or stops."""
import numpy as np
import pytest

import nnkit
from nnkit.callbacks import Callback, NaNGuard


def _ids(n=64, t=6, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 7, size=(n, t))      # token 9 never appears by chance
    return x, (x[:, 0] > 3).astype(int)


def _text_model(head=None):
    head = head or nnkit.GlobalAveragePooling1D()
    model = nnkit.Sequential([nnkit.Embedding(10, 4, mask_zero=True, input_shape=(6,)), head,
                              nnkit.Dense(2, activation="softmax")])
    model.compile(nnkit.optimizers.Adam(0.01), "sparse_categorical_crossentropy")
    return model


class Poison(Callback):
    """After batch ``at`` of epoch 0, put NaN into ``layer``'s ``key`` (row ``row``)."""

    def __init__(self, at, layer, key, row=None):
        super().__init__()
        self.at, self.layer, self.key, self.row = at, layer, key, row
        self.epoch = None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.epoch == 0 and batch == self.at:
            param = self.model.layers[self.layer].params[self.key]
            if self.row is None:
                param[...] = np.nan
            else:
                param[self.row] = np.nan


def test_names_layer_parameter_and_time_step_then_recovers():
    x, y = _ids()
    x[10:20, 3] = 9                                   # token 9 only at time step 3, batch 1
    model = _text_model()
    guard = NaNGuard(action="reduce_lr", factor=0.5, verbose=0)
    lr = model.optimizer.learning_rate
    history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0,
                        callbacks=[Poison(0, 0, "embeddings", row=9), guard])
    assert guard.events[0] == {"epoch": 0, "batch": 1, "kind": "loss",
                               "layer": model.layers[0].name,
                               "parameter": "embeddings", "time_step": 3,
                               "action": f"learning rate lowered to {lr / 2:.3g}"}
    assert model.optimizer.learning_rate == lr / 2
    assert all(np.isfinite(w).all() for w in model.get_weights())
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"]).all()


def test_stop_restores_last_good_weights_and_optimizer_state():
    x, y = _ids()
    model = _text_model()
    snapshots = []

    class Record(Callback):
        def on_train_batch_begin(self, batch, logs=None):
            snapshots.append((model.get_weights(), model.optimizer.iterations))

    guard = NaNGuard(action="stop", verbose=0)
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0,
              callbacks=[Record(), Poison(2, 2, "kernel"), guard])
    assert model.stop_training and guard.events[0]["batch"] == 3
    event = guard.events[0]
    assert (event["layer"], event["parameter"]) == (model.layers[2].name, "kernel")
    good_weights, good_iterations = snapshots[2]          # before batch 2's update
    for restored, good in zip(model.get_weights(), good_weights):
        np.testing.assert_array_equal(restored, good)
    assert model.optimizer.iterations == good_iterations == 2


@nnkit.register_layer
class _BadGradient(nnkit.Dense):
    """A Dense whose bias gradient turns infinite on the third call of backward."""

    calls = 0

    def backward(self, dy):
        dx = super().backward(dy)
        type(self).calls += 1
        if type(self).calls == 3:
            self.grads["bias"][0] = np.inf
        return dx


def test_non_finite_gradient_names_parameter_and_tightens_clipping():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(40, 3)), rng.integers(0, 2, size=40)
    model = nnkit.Sequential([nnkit.Dense(4, activation="tanh", input_shape=(3,)),
                              _BadGradient(2, activation="softmax", name="bad")])
    model.compile(nnkit.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
    guard = NaNGuard(action="clip", clipnorm=2.0, verbose=0)
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0, callbacks=[guard])
    assert [(e["kind"], e["layer"], e["parameter"], e["batch"]) for e in guard.events] == \
        [("gradient", "bad", "bias", 2)]
    assert model.optimizer.global_clipnorm == 2.0
    # 5 batches: batch 2 rejected and batch 1's update undone (the last good state is
    # the one batch 1 started from: its loss and gradients were finite)
    assert model.optimizer.iterations == 3
    assert not hasattr(model, "gradient_hook")          # a callback hook, nothing on the model


@pytest.mark.filterwarnings("ignore:overflow")
def test_divergence_recovers_by_lowering_learning_rate():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(64, 4)) * 10
    y = x @ rng.normal(size=(4, 1)) * 100
    model = nnkit.Sequential([nnkit.Dense(1, input_shape=(4,))])
    model.compile(nnkit.optimizers.SGD(10.0), "mse")
    guard = NaNGuard(factor=0.01, max_recoveries=20, verbose=0)
    history = model.fit(x, y, batch_size=16, epochs=3, verbose=0, callbacks=[guard])
    assert guard.events and not model.stop_training
    assert np.isfinite(history.history["loss"][-1])
    assert model.optimizer.learning_rate < 10.0


def test_recurrent_layer_time_step():
    x, y = _ids()
    model = _text_model(nnkit.LSTM(3))
    guard = NaNGuard(verbose=0)
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0,
              callbacks=[Poison(0, 1, "recurrent_kernel"), guard])
    event = guard.events[0]
    assert (event["layer"], event["parameter"], event["time_step"]) == \
        (model.layers[1].name, "recurrent_kernel", 0)   # 0 · NaN = NaN: step 0 already


def test_bad_arguments():
    with pytest.raises(nnkit.InvalidArgumentError, match="action"):
        NaNGuard(action="retry")
    with pytest.raises(nnkit.InvalidArgumentError, match="factor"):
        NaNGuard(factor=2.0)


def test_graph_model_names_the_layer_and_time_step():
    x, y = _ids()
    x[10:20, 3] = 9
    tokens, side = nnkit.Input((6,), dtype="int32", name="tokens"), nnkit.Input((2,), name="side")
    pooled = nnkit.GlobalAveragePooling1D()(nnkit.Embedding(10, 4, mask_zero=True,
                                                            name="emb")(tokens))
    out = nnkit.Dense(2, activation="softmax")(nnkit.Concatenate()([pooled, side]))
    model = nnkit.Model([tokens, side], out)
    model.compile(nnkit.optimizers.Adam(0.01), "sparse_categorical_crossentropy")
    guard = NaNGuard(action="reduce_lr", verbose=0)

    class PoisonGraph(Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 0 and not guard.events:
                model.get_layer("emb").params["embeddings"][9] = np.nan

    model.fit([x, np.ones((64, 2))], y, batch_size=8, epochs=1, shuffle=False, verbose=0,
              callbacks=[PoisonGraph(), guard])
    event = guard.events[0]
    assert (event["batch"], event["layer"], event["parameter"], event["time_step"]) == \
        (1, "emb", "embeddings", 3)
    assert all(np.isfinite(w).all() for w in model.get_weights())
