"""Fuzzing the public entry points: every bad input is an nnkit error, never a raw one.

Hypothesis draws random shapes, dtypes (object, str, bool, complex, float ids,
out-of-range ids), values (NaN, inf, huge), sample weights, batch sizes and
masks, and feeds them to ``fit``/``evaluate``/``predict``/``train_on_batch`` of
small Sequential models and to layers called directly. Each call must either
work or raise ``nnkit.NnkitError``; any other exception fails the test.
"""
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import nnkit

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))

SPECIAL = [0.0, 1.0, -1.0, np.nan, np.inf, -np.inf, 1e38, -1e38, 1e300, 3.0, 7.5]


@st.composite
def arrays(draw, max_rank=4, max_side=5):
    """Arrays of random rank, shape, dtype and awkward values (or non-arrays)."""
    kind = draw(st.sampled_from(["float32", "float64", "int64", "int32", "uint8", "bool",
                                 "complex", "object", "str", "none", "scalar", "ragged", "list"]))
    rank = draw(st.integers(0, max_rank))
    shape = tuple(draw(st.lists(st.integers(0, max_side), min_size=rank, max_size=rank)))
    size = int(np.prod(shape)) if shape else 1
    if kind == "none":
        return None
    if kind == "scalar":
        return draw(st.sampled_from([3, 2.5, "abc", float("nan")]))
    if kind == "ragged":
        return [[1, 2, 3], [4, 5]]
    if kind == "list":
        return draw(st.lists(st.lists(st.integers(-3, 12), min_size=2, max_size=2),
                             min_size=1, max_size=4))
    if kind in ("float32", "float64", "complex"):
        values = draw(st.lists(st.sampled_from(SPECIAL) | st.floats(-5, 5), min_size=size,
                               max_size=size))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            array = np.array(values, dtype="float64").reshape(shape)
            if kind == "complex":
                return array + 1j
            return array.astype(kind)
    if kind == "bool":
        return np.array(draw(st.lists(st.booleans(), min_size=size, max_size=size)),
                        dtype=bool).reshape(shape)
    if kind == "object":
        return np.array([object()] * size + [None], dtype=object)[:size].reshape(shape)
    if kind == "str":
        return np.array(["a"] * size).reshape(shape)
    low = 0 if kind == "uint8" else -3
    values = draw(st.lists(st.integers(low, 40), min_size=size, max_size=size))
    return np.array(values, dtype=kind).reshape(shape)


def _call(function, *args, **kwargs):
    """Run ``function``: fine if it works or raises an nnkit error."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return function(*args, **kwargs)
        except nnkit.NnkitError:
            return None


def _mlp():
    model = nnkit.Sequential([nnkit.Dense(4, activation="tanh", input_shape=(3,)),
                              nnkit.Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _embedding_model(head):
    layers = [nnkit.Embedding(10, 4, mask_zero=True, input_shape=(5,))]
    if head == "lstm" and hasattr(nnkit, "LSTM"):
        layers.append(nnkit.LSTM(3))
    else:
        layers.append(nnkit.GlobalAveragePooling1D())
    layers.append(nnkit.Dense(2, activation="softmax"))
    model = nnkit.Sequential(layers)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _regression():
    model = nnkit.Sequential([nnkit.Dense(2, activation="sigmoid", input_shape=(3,))])
    model.compile("rmsprop", "binary_crossentropy")
    return model


MODELS = {"mlp": _mlp, "embedding_pool": lambda: _embedding_model("pool"),
          "embedding_lstm": lambda: _embedding_model("lstm"), "binary": _regression}
BATCH_SIZES = st.sampled_from([1, 2, 32, 0, -1, 2.5, True, None, "4", np.int64(3)])


@pytest.mark.parametrize("name", sorted(MODELS))
@SETTINGS
@given(x=arrays(), y=arrays(max_rank=3), sample_weight=arrays(max_rank=2),
       batch_size=BATCH_SIZES, data=st.data())
def test_fit_evaluate_predict_fuzz(name, x, y, sample_weight, batch_size, data):
    model = MODELS[name]()
    if data.draw(st.booleans(), label="drop sample_weight"):
        sample_weight = None
    _call(model.fit, x, y, sample_weight=sample_weight, batch_size=batch_size, epochs=1,
          verbose=0)
    _call(model.evaluate, x, y, sample_weight=sample_weight, batch_size=batch_size)
    _call(model.predict, x, batch_size=batch_size)
    _call(model.train_on_batch, x, y, sample_weight=sample_weight)
    _call(model.fit, x, y, validation_data=(x, y), epochs=1, verbose=0)


@pytest.mark.parametrize("name", ["mlp", "embedding_pool"])
@SETTINGS
@given(data=st.data())
def test_fit_with_valid_shapes_but_bad_values(name, data):
    """Right shapes, wrong values: labels out of range, float labels, NaN, huge."""
    model = MODELS[name]()
    n = data.draw(st.integers(1, 6))
    if name == "mlp":
        x = np.array(data.draw(st.lists(st.sampled_from(SPECIAL), min_size=3 * n,
                                        max_size=3 * n))).reshape(n, 3)
    else:
        x = np.array(data.draw(st.lists(st.integers(-2, 12), min_size=5 * n,
                                        max_size=5 * n))).reshape(n, 5)
    y = np.array(data.draw(st.lists(st.sampled_from([0, 1, 2, 3, -1, 0.5, 1.0, np.nan, 1e20]),
                                    min_size=n, max_size=n)))
    weights = data.draw(st.none() | st.lists(st.sampled_from([0.0, 1.0, -1.0, np.nan, 1e30]),
                                             min_size=n, max_size=n))
    _call(model.fit, x, y, sample_weight=weights, batch_size=2, epochs=1, verbose=0)
    _call(model.evaluate, x, y, sample_weight=weights)


def _layers():
    layers = {"dense": lambda: nnkit.Dense(3), "dropout": lambda: nnkit.Dropout(0.5),
              "activation": lambda: nnkit.Activation("relu"),
              "embedding": lambda: nnkit.Embedding(10, 3, mask_zero=True),
              "avg_pool": lambda: nnkit.GlobalAveragePooling1D(),
              "max_pool": lambda: nnkit.GlobalMaxPooling1D()}
    for name in ("LSTM", "SimpleRNN", "GRU"):
        if hasattr(nnkit, name):
            layers[name.lower()] = lambda cls=getattr(nnkit, name): cls(3, return_sequences=True)
    return layers


LAYERS = _layers()


@pytest.mark.parametrize("name", sorted(LAYERS))
@SETTINGS
@given(x=arrays(), mask=arrays(max_rank=3), training=st.booleans(), second=arrays())
def test_layer_call_fuzz(name, x, mask, training, second):
    """Layers called directly, twice (the second call hits the built checks)."""
    layer = LAYERS[name]()
    _call(layer, x, training=training)
    _call(layer, x, training=training, mask=mask)
    _call(layer, second, training=training)
    if training and layer.built:
        layer.clear_cache()


@SETTINGS
@given(optimizer=st.sampled_from(["sgd", "adam", "nope", 3, None, "ADAM"]),
       loss=st.sampled_from(["mse", "sparse_categorical_crossentropy", "nope", 3, None]),
       metrics=st.sampled_from([None, [], ["accuracy"], ["nope"], "accuracy", [3]]))
def test_compile_fuzz(optimizer, loss, metrics):
    model = nnkit.Sequential([nnkit.Dense(2, input_shape=(3,))])
    _call(model.compile, optimizer, loss, metrics=metrics)


@pytest.mark.parametrize("name", sorted(LAYERS))
@SETTINGS
@given(data=st.data())
def test_layer_masks_fuzz(name, data):
    """Well-formed inputs with masks of random shapes, dtypes and values."""
    layer = LAYERS[name]()
    n, t = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 4))
    if name == "embedding":
        x = np.array(data.draw(st.lists(st.integers(-1, 11), min_size=n * t, max_size=n * t)),
                     dtype=data.draw(st.sampled_from(["int64", "int32", "float64"]))
                     ).reshape(n, t)
    else:
        x = np.array(data.draw(st.lists(st.sampled_from(SPECIAL), min_size=n * t * 2,
                                        max_size=n * t * 2))).reshape(n, t, 2)
    mask_shape = data.draw(st.sampled_from([(n, t), (n,), (t, n), (n, t, 1), (n, t + 1), ()]))
    mask = data.draw(st.sampled_from([
        np.ones(mask_shape, dtype=bool), np.zeros(mask_shape, dtype=bool),
        np.full(mask_shape, 2), np.full(mask_shape, 0.5), np.full(mask_shape, "x"),
        np.full(mask_shape, np.nan)]))
    training = data.draw(st.booleans())
    output = _call(layer, x, training=training, mask=mask)
    if output is not None and training and layer.built:
        dy = layer.xp.ones_like(output)
        _call(layer.backward, dy)
