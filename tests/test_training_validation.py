"""Nothing passes silently (issue 27): every argument of fit/evaluate/predict, the optimizers'
hyper-parameters, pad_sequences' dtype and numeric overflow either work exactly or raise a clear
nnkit error naming the argument — checked by property over generated values."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nnkit
from nnkit.utils import pad_sequences

FAST = settings(max_examples=30, deadline=None)


def _model(outputs=3):
    nnkit.set_seed(0)
    model = nnkit.Sequential([nnkit.Input((4,)), nnkit.layers.Dense(outputs, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


X = np.random.default_rng(0).normal(size=(12, 4))
Y = np.arange(12) % 3

ANY_NUMBER = st.one_of(st.integers(-3, 6), st.floats(-3, 6), st.just(math.nan), st.just(math.inf),
                       st.just("2"), st.none(), st.booleans())


@FAST
@given(epochs=ANY_NUMBER, initial_epoch=ANY_NUMBER)
def test_epochs_and_initial_epoch_run_exactly_or_are_refused(epochs, initial_epoch):
    try:
        history = _model().fit(X, Y, epochs=epochs, initial_epoch=initial_epoch, verbose=0)
    except nnkit.InvalidArgumentError as error:
        assert "epoch" in str(error)
        valid = (type(epochs) is int and type(initial_epoch) is int and epochs >= 1
                 and 0 <= initial_epoch < epochs)
        assert not valid
        return
    assert history.epoch == list(range(initial_epoch, epochs))


@FAST
@given(n=st.integers(1, 12), split=st.floats(0.0, 0.999))
def test_validation_split_leaves_rows_on_both_sides_or_is_refused(n, split):
    cut = int(n * (1 - split))
    try:
        history = _model().fit(X[:n], Y[:n], validation_split=split, epochs=1, verbose=0)
    except nnkit.InvalidArgumentError as error:
        assert "validation_split" in str(error) and split > 0 and cut in (0, n)
        return
    assert split == 0 or 0 < cut < n
    assert ("val_loss" in history.history) == (split > 0)
    assert all(math.isfinite(v) for values in history.history.values() for v in values)


@FAST
@given(weights=st.dictionaries(st.integers(-2, 5), st.floats(0.0, 3.0), min_size=1))
def test_class_weight_for_a_class_the_model_lacks_is_refused(weights):
    try:
        _model().fit(X, Y, class_weight=weights, epochs=1, verbose=0)
    except nnkit.InvalidArgumentError as error:
        assert "class_weight" in str(error)
        assert any(not 0 <= k < 3 for k in weights)
        return
    assert all(0 <= k < 3 for k in weights)


@FAST
@given(ids=st.lists(st.lists(st.integers(0, 70000), min_size=1, max_size=5), min_size=1,
                    max_size=4),
       dtype=st.sampled_from(["int8", "uint8", "int16", "uint16", "int32", "int64"]))
def test_pad_sequences_never_wraps_a_token_id(ids, dtype):
    try:
        padded = pad_sequences([np.array(row) for row in ids], dtype=dtype)
    except nnkit.InvalidArgumentError as error:
        assert dtype in str(error)
        assert max(map(max, ids)) > np.iinfo(dtype).max
        return
    for row, padded_row in zip(ids, padded):
        assert list(padded_row[len(padded_row) - len(row):]) == row


@FAST
@given(scale=st.floats(1.0, 1e300))
def test_inputs_past_float32s_range_are_refused_not_made_infinite(scale):
    x = X * scale
    try:
        out = _model().predict(x, verbose=0)
    except nnkit.InvalidArgumentError as error:
        assert "float32" in str(error) and np.abs(x).max() > np.finfo("float32").max
        return
    assert np.isfinite(out).all()


OPTIMIZER_RANGES = {  # argument: the accepted interval (low, high, low open, high open)
    "SGD": [("learning_rate", 0, math.inf, False, False), ("momentum", 0, 1, False, True)],
    "Adam": [("beta_1", 0, 1, False, True), ("beta_2", 0, 1, False, True),
             ("epsilon", 0, math.inf, True, False)],
    "RMSprop": [("rho", 0, 1, False, True), ("epsilon", 0, math.inf, True, False)],
    "Adadelta": [("rho", 0, 1, False, True)],
    "Adagrad": [("initial_accumulator_value", 0, math.inf, False, False)],
}
CASES = [(name, *spec) for name, specs in OPTIMIZER_RANGES.items() for spec in specs]


@pytest.mark.parametrize("name, argument, low, high, open_low, open_high", CASES)
@settings(max_examples=25, deadline=None)
@given(value=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 5),
                       st.just("0.1"), st.none()))
def test_optimizer_hyper_parameters_are_range_checked(name, argument, low, high, open_low,
                                                      open_high, value):
    cls = getattr(nnkit.optimizers, name)
    ok = (isinstance(value, (int, float)) and not isinstance(value, bool)
          and math.isfinite(value) and (value > low if open_low else value >= low)
          and (value < high if open_high else value <= high))
    if ok:
        assert getattr(cls(**{argument: value}), argument) == value
    else:
        with pytest.raises(nnkit.InvalidArgumentError, match=f"{name}: {argument}"):
            cls(**{argument: value})


@FAST
@given(value=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.just("fast")))
def test_a_learning_rate_set_later_is_checked_at_assignment(value):
    optimizer = nnkit.optimizers.Adam()
    if isinstance(value, float) and math.isfinite(value) and value >= 0:
        optimizer.learning_rate = value
        assert optimizer.learning_rate == value
    else:
        with pytest.raises(nnkit.InvalidArgumentError, match="Adam: learning_rate"):
            optimizer.learning_rate = value


def test_a_diverged_model_reports_no_plausible_accuracy():
    model = _model()
    model.layers[0].params["kernel"][0, 0] = np.nan
    loss, accuracy = model.evaluate(X, Y, verbose=0)
    assert math.isnan(loss) and math.isnan(accuracy)


def test_predict_refuses_a_generator_without_steps():
    def endless():
        while True:
            yield X
    with pytest.raises(nnkit.InvalidArgumentError, match="steps"):
        _model().predict(endless(), verbose=0)
    assert _model().predict(endless(), steps=2, verbose=0).shape == (24, 3)


def test_keras_single_values_where_lists_are_expected():
    model = _model()
    model.compile("sgd", "sparse_categorical_crossentropy", metrics="accuracy")
    stopper = nnkit.callbacks.EarlyStopping(monitor="loss")
    history = model.fit(X, Y, epochs=2, verbose=0, callbacks=stopper)
    assert set(history.history) == {"loss", "accuracy"} and stopper.model is model


def test_small_mistakes_get_named_errors():
    with pytest.raises(nnkit.InvalidArgumentError, match="no layers"):
        nnkit.Sequential().compile("sgd", "mse")
    with pytest.raises(nnkit.InvalidArgumentError, match="y is required"):
        _model().fit(X, verbose=0)


def test_set_floatx_after_building_leaves_the_built_model_as_it_was():
    model = nnkit.Sequential([nnkit.Input((None,), dtype="int32"), nnkit.layers.Embedding(5, 3),
                              nnkit.layers.LSTM(2), nnkit.layers.Dense(2)])
    ids = np.ones((2, 4), int)
    before = model.predict(ids, verbose=0)
    nnkit.set_floatx("float64")
    try:
        after = model.predict(ids, verbose=0)
        assert nnkit.layers.Dense(2).dtype == "float64"       # new layers follow floatx
    finally:
        nnkit.set_floatx("float32")
    assert after.dtype == np.float32
    np.testing.assert_array_equal(before, after)
