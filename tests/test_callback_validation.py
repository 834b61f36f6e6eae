"""Callbacks refuse what they cannot use, early and by name (issue 27): every constructor's
arguments, ModelCheckpoint's template, the folders callbacks write in, a diverged model's
checkpoint and a learning-rate schedule's values — checked by property over generated values.
"""
import csv
import inspect
import math
import numbers
import os
import pathlib
import tempfile
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nnkit
from nnkit import callbacks
from nnkit.callbacks import checkpoint_template

FAST = settings(max_examples=60, deadline=None)
SLOW = settings(max_examples=15, deadline=None)

X = np.random.default_rng(0).normal(size=(12, 3))
Y = (X[:, 0] > 0).astype(int)


def _model(learning_rate=0.1):
    model = nnkit.Sequential([nnkit.Input((3,)), nnkit.layers.Dense(4, activation="tanh"),
                              nnkit.layers.Dense(2, activation="softmax")])
    model.compile(nnkit.optimizers.SGD(learning_rate), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


# ---- the specification of every numeric argument, written from Keras 3.15's docs ------------
def _whole(low):
    return lambda v: isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= low


def _finite(low=-math.inf, high=math.inf, open_ends=False, none=False):
    def inside(v):
        if v is None:
            return none
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
            return False
        return low < v < high if open_ends else low <= v <= high
    return inside


def _epoch_or_batches(v):
    return (isinstance(v, str) and v == "epoch") or _whole(1)(v)


def _verbosity(v):
    return isinstance(v, bool) or _whole(0)(v)


def _log_key(v):
    return isinstance(v, str) and v != ""


def _mode(v):
    return isinstance(v, str) and v in ("auto", "min", "max")


#: the arguments every MonitorCallback takes
WATCHING = {"monitor": (_log_key, "monitor", None), "mode": (_mode, "mode", None)}


def _off(v):
    """An nnkit TensorBoard feature it does not have: accepted only when not asked for."""
    return not v


#: class name → (required arguments, {argument: (accepts, stored attribute, stored value)})
SPEC = {
    "EarlyStopping": ({}, {
        **WATCHING, "min_delta": (_finite(), "min_delta", abs),
        "patience": (_whole(0), "patience", int), "verbose": (_verbosity, "verbose", int),
        "baseline": (_finite(none=True), "baseline", None),
        "start_from_epoch": (_whole(0), "start_from_epoch", int)}),
    "ReduceLROnPlateau": ({}, {
        **WATCHING, "factor": (_finite(0, 1, open_ends=True), "factor", float),
        "patience": (_whole(0), "patience", int), "verbose": (_verbosity, "verbose", int),
        "min_delta": (_finite(), "min_delta", abs), "cooldown": (_whole(0), "cooldown", int),
        "min_lr": (_finite(0), "min_lr", float)}),
    "ModelCheckpoint": ({"filepath": "ckpt.h5"}, {
        **WATCHING, "verbose": (_verbosity, "verbose", int),
        "save_freq": (_epoch_or_batches, "save_freq", None),
        "initial_value_threshold": (_finite(none=True), "best", None)}),
    "MonitorCallback": ({}, {
        **WATCHING, "min_delta": (_finite(), "min_delta", abs),
        "baseline": (_finite(none=True), "best", None)}),
    "BackupAndRestore": ({"backup_dir": "backup"}, {
        "save_freq": (_epoch_or_batches, "save_freq", None)}),
    "TensorBoard": ({}, {
        "histogram_freq": (_whole(0), "histogram_freq", int),
        "update_freq": (lambda v: v == "batch" or _epoch_or_batches(v), "update_freq",
                        lambda v: 1 if v == "batch" else v),
        "profile_batch": (_off, None, None), "embeddings_freq": (_off, None, None)}),
    "NaNGuard": ({}, {
        "action": (lambda v: isinstance(v, str) and v in ("reduce_lr", "clip", "stop"),
                   "action", None),
        "factor": (_finite(0, 1, open_ends=True), "factor", float),
        "clipnorm": (_finite(0, open_ends=True), "clipnorm", float),
        "max_recoveries": (_whole(0), "max_recoveries", int),
        "verbose": (_verbosity, "verbose", int)}),
    "LearningRateScheduler": ({"schedule": lambda epoch, rate: rate}, {
        "verbose": (_verbosity, "verbose", int)}),
    "CSVLogger": ({"filename": "log.csv"}, {}),
    "LambdaCallback": ({}, {}), "TerminateOnNaN": ({}, {}), "ProgressBar": ({}, {}),
    "History": ({}, {}), "Callback": ({}, {}),
}
SPEC["ProgbarLogger"] = SPEC["ProgressBar"]

VALUES = st.one_of(
    st.integers(-3, 4), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1.5, 0.5, 2.0, math.nan, math.inf, -math.inf, "x", "", "epoch",
                     "batch", "min", "max", "auto", "clip", None, True, False, np.int64(3),
                     np.float32(0.25), np.float64(math.nan), [1]]))


def _exported_callback_classes():
    return {name: getattr(callbacks, name) for name in callbacks.__all__
            if isinstance(getattr(callbacks, name), type)
            and issubclass(getattr(callbacks, name), callbacks.Callback)}


def test_every_exported_callback_has_each_numeric_argument_specified():
    """A new callback (or a new numeric argument) must join the sweep below."""
    for name, cls in _exported_callback_classes().items():
        assert name in SPEC, f"{name} is missing from SPEC"
        numeric = {parameter.name for parameter in
                   inspect.signature(cls.__init__).parameters.values()
                   if isinstance(parameter.default, (int, float))
                   and not isinstance(parameter.default, bool)}
        assert numeric <= set(SPEC[name][1]), (name, numeric - set(SPEC[name][1]))


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_constructors_accept_exactly_their_domain_and_name_what_they_refuse(data):
    name = data.draw(st.sampled_from(sorted(n for n, (_, args) in SPEC.items() if args)))
    required, arguments = SPEC[name]
    argument = data.draw(st.sampled_from(sorted(arguments)))
    value = data.draw(VALUES)
    accepts, attribute, stored = arguments[argument]
    cls = getattr(callbacks, name)
    if not accepts(value):
        with pytest.raises(nnkit.NnkitError) as refused:
            cls(**required, **{argument: value})
        message = str(refused.value)
        assert name in message and argument in message, message
        assert "received" in message or "does not provide" in message, message
        return
    made = cls(**required, **{argument: value})
    if attribute is not None:
        assert getattr(made, attribute) == (value if stored is None else stored(value))


#: the callbacks that write files: (class name, its path argument, a usable path)
PATH_ARGUMENTS = [("ModelCheckpoint", "filepath", "ckpt.h5"), ("CSVLogger", "filename", "l.csv"),
                  ("BackupAndRestore", "backup_dir", "backup"), ("TensorBoard", "log_dir", "logs")]


@FAST
@given(which=st.sampled_from(PATH_ARGUMENTS),
       value=st.one_of(st.just(""), st.integers(), st.floats(), st.none(), st.binary(max_size=3),
                       st.lists(st.text(max_size=2), max_size=2)))
def test_a_path_argument_that_is_not_a_path_is_refused_by_name(which, value):
    name, argument, _ = which
    with pytest.raises(nnkit.InvalidArgumentError,
                       match=f"{name}: {argument} must be a non-empty path"):
        getattr(callbacks, name)(**{argument: value})


@pytest.mark.parametrize("name, argument, path", PATH_ARGUMENTS)
def test_a_path_like_is_taken_as_its_text(name, argument, path):
    made = getattr(callbacks, name)(**{argument: pathlib.Path("out") / path})
    assert os.path.join("out", path) in vars(made).values()


@FAST
@given(hook=st.sampled_from(["on_epoch_end", "on_train_begin", "on_test_end",
                             "on_predict_batch_end"]),
       value=st.one_of(st.integers(), st.text(max_size=3), st.floats(), st.just([print])))
def test_lambda_callback_refuses_a_hook_that_is_not_a_function(hook, value):
    with pytest.raises(nnkit.InvalidArgumentError, match=f"LambdaCallback: {hook} must be a "
                                                         f"function, received"):
        callbacks.LambdaCallback(**{hook: value})


@FAST
@given(value=st.one_of(st.integers(), st.text(max_size=3), st.floats(), st.none()))
def test_learning_rate_scheduler_needs_a_function(value):
    with pytest.raises(nnkit.InvalidArgumentError,
                       match="LearningRateScheduler: schedule must be a function"):
        callbacks.LearningRateScheduler(value)


@FAST
@given(separator=st.one_of(st.text(max_size=3), st.integers(), st.none()))
def test_csv_logger_separator_is_one_character_that_round_trips(separator):
    usable = isinstance(separator, str) and len(separator) == 1 and separator not in "\r\n"
    if not usable:
        with pytest.raises(nnkit.InvalidArgumentError, match="CSVLogger: separator must be"):
            callbacks.CSVLogger("log.csv", separator=separator)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "log.csv")
        logger = callbacks.CSVLogger(path, separator=separator)
        logger.on_train_begin()
        logger.on_epoch_end(0, {"loss": 0.5, "val_loss": 0.25})
        logger.on_train_end()
        with open(path, newline="") as file:
            rows = list(csv.reader(file, delimiter=separator))
    assert rows == [["epoch", "loss", "val_loss"], ["0", "0.5", "0.25"]]


# ---- ModelCheckpoint's template -------------------------------------------------------------
PIECES = ["ck", "-", "/", "{", "}", "{{", "}}", ":", "{epoch}", "{epoch:02d}", "{loss:.2f}",
          "{val_loss}", "{batch}", "{accuracy:.3e}", "{loss:d}", "{epoch:q}", "{}", "{0}",
          "{epoch!r}", "{loss.real}", "{epoch[0]}", "{loss:{epoch}}", "{epoch!z}"]
TEMPLATES = st.lists(st.sampled_from(PIECES), min_size=1, max_size=5).map("".join)


class _FloatsEverywhere(dict):
    """Reference fields for a save per epoch: epoch an int, any log key a float, no batch."""

    def __missing__(self, key):
        if key == "batch":
            raise KeyError(key)
        return 1.0


@FAST
@given(template=TEMPLATES)
def test_checkpoint_template_is_refused_at_once_exactly_when_no_save_could_fill_it(template):
    path = template + ".h5"
    try:
        path.format_map(_FloatsEverywhere(epoch=1))
        fillable = True
    except (KeyError, IndexError, ValueError, TypeError, AttributeError):
        fillable = False
    if fillable:
        assert callbacks.ModelCheckpoint(path).filepath == path
        return
    with pytest.raises(nnkit.InvalidArgumentError) as refused:
        callbacks.ModelCheckpoint(path)
    assert str(refused.value).startswith(f"ModelCheckpoint: cannot use filepath {path!r}")


@FAST
@given(template=TEMPLATES, epoch=st.integers(1, 200),
       logs=st.dictionaries(st.sampled_from(["loss", "val_loss", "accuracy"]),
                            st.floats(0, 10), max_size=3))
def test_a_filled_template_is_str_format_or_an_error_naming_the_missing_key(template, epoch,
                                                                            logs):
    path = template + ".h5"
    try:
        callbacks.ModelCheckpoint(path)
    except nnkit.InvalidArgumentError:
        return                                    # refused at once: the test above
    fields = dict(logs, epoch=epoch)
    try:
        expected = path.format(**fields)
    except KeyError as missing:
        with pytest.raises(nnkit.InvalidArgumentError) as refused:
            checkpoint_template.fill("ModelCheckpoint", path, fields)
        assert repr(missing.args[0]) in str(refused.value)
        assert str(sorted(fields)) in str(refused.value) and repr(path) in str(refused.value)
        return
    assert checkpoint_template.fill("ModelCheckpoint", path, fields) == expected


@FAST
@given(key=st.sampled_from(["val_loss", "val_accuracy", "val_out_loss"]),
       every=st.integers(1, 5))
def test_validation_keys_are_refused_when_saving_every_few_batches(key, every):
    with pytest.raises(nnkit.InvalidArgumentError, match=f"'{key}'.*epoch's end"):
        callbacks.ModelCheckpoint(f"ck-{{{key}}}.h5", save_freq=every)
    assert callbacks.ModelCheckpoint(f"ck-{{{key}}}.h5").save_freq == "epoch"


def test_val_loss_without_validation_fails_at_the_first_save_naming_key_and_logs(tmp_path):
    template = str(tmp_path / "ck-{epoch}-{val_loss:.2f}.h5")
    with pytest.raises(nnkit.InvalidArgumentError) as refused:
        _model().fit(X, Y, epochs=2, verbose=0, callbacks=callbacks.ModelCheckpoint(template))
    message = str(refused.value)
    assert "ModelCheckpoint" in message and repr(template) in message
    assert "'val_loss'" in message and "['accuracy', 'epoch', 'loss']" in message
    assert list(tmp_path.iterdir()) == []
    history = _model().fit(X, Y, epochs=2, verbose=0, validation_data=(X, Y),
                           callbacks=callbacks.ModelCheckpoint(template))
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == [f"ck-{e + 1}-{v:.2f}.h5" for e, v in
                       enumerate(history.history["val_loss"])]


# ---- folders that cannot be written ---------------------------------------------------------
WRITERS = {
    "ModelCheckpoint": lambda path: callbacks.ModelCheckpoint(os.path.join(path, "m-{epoch}.h5")),
    "BackupAndRestore": lambda path: callbacks.BackupAndRestore(path),
    "TensorBoard": lambda path: callbacks.TensorBoard(path),
    "CSVLogger": lambda path: callbacks.CSVLogger(os.path.join(path, "log.csv")),
}


def _train_begin(callback):
    callback.set_model(_model())
    callback.on_train_begin({})
    callback.on_train_end({})


@SLOW
@given(name=st.sampled_from(sorted(WRITERS)), depth=st.integers(0, 3),
       blocked_by=st.sampled_from(["file", "proc"]))
def test_an_unusable_folder_fails_at_train_begin_naming_the_callback_and_path(name, depth,
                                                                              blocked_by):
    with tempfile.TemporaryDirectory() as root:
        if blocked_by == "file":
            base = os.path.join(root, "a_file")
            pathlib.Path(base).write_text("not a folder")
        else:
            base = "/proc/nnkit-cannot-write-here"
        folder = os.path.join(base, *["sub"] * depth)
        callback = WRITERS[name](folder)
        with pytest.raises(nnkit.InvalidArgumentError) as refused:
            _train_begin(callback)
        message = str(refused.value)
        assert message.startswith(f"{name}: cannot") and folder in message
        assert ".tmp" not in message and "write-check" not in message
        assert sorted(os.listdir(root)) == (["a_file"] if blocked_by == "file" else [])


@SLOW
@given(name=st.sampled_from(sorted(WRITERS)), depth=st.integers(0, 3))
def test_a_usable_folder_is_made_and_the_write_check_leaves_nothing(name, depth):
    with tempfile.TemporaryDirectory() as root:
        folder = os.path.join(root, *["level"] * depth)
        if name == "CSVLogger":                       # as in Keras, its folder must exist
            os.makedirs(folder, exist_ok=True)
        _train_begin(WRITERS[name](folder))
        left = [os.path.join(where, f) for where, _, files in os.walk(root) for f in files]
        expected = {"CSVLogger": ["log.csv"], "TensorBoard": None}.get(name, [])
        if expected is None:                          # TensorBoard: event files only
            assert all("tfevents" in os.path.basename(f) for f in left)
        else:
            assert sorted(os.path.basename(f) for f in left) == expected


def test_a_checkpoint_path_naming_a_folder_is_refused_at_the_save(tmp_path):
    (tmp_path / "ck-1.h5").mkdir()
    with pytest.raises(nnkit.InvalidArgumentError, match="names the existing folder"):
        _model().fit(X, Y, epochs=1, verbose=0,
                     callbacks=[callbacks.ModelCheckpoint(str(tmp_path / "ck-{epoch}.h5"))])


# ---- a diverged model keeps the last good checkpoint -----------------------------------------
class _Poison(callbacks.Callback):
    """At the end of epoch ``at``, writes ``value`` into weight ``index`` at ``flat``."""

    def __init__(self, at, index, flat, value):
        super().__init__()
        self.at, self.index, self.flat, self.value = at, index, flat, value
        self.good = self.first_bad = None

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.at - 1:
            self.good = [w.copy() for w in self.model.get_weights()]
        if epoch == self.at:
            weights = self.model.get_weights()
            weights[self.index].reshape(-1)[self.flat % weights[self.index].size] = self.value
            self.model.set_weights(weights)
            self.first_bad = next(name for name, w in self.model.params.items()
                                  if not np.isfinite(w).all())


@SLOW
@given(at=st.integers(1, 2), index=st.integers(0, 3), flat=st.integers(0, 20),
       value=st.sampled_from([math.nan, math.inf, -math.inf]),
       weights_only=st.booleans())
def test_a_non_finite_weight_is_warned_about_and_the_last_good_file_kept(at, index, flat, value,
                                                                         weights_only):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "last.h5")
        model = _model()
        poison = _Poison(at, index, flat, value)
        checkpoint = callbacks.ModelCheckpoint(path, save_weights_only=weights_only)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            history = model.fit(X, Y, epochs=4, verbose=0, callbacks=[poison, checkpoint])
        assert history.epoch == [0, 1, 2, 3]                # training went on
        assert poison.first_bad == list(model.params)[index]
        messages = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)
                    and "ModelCheckpoint" in str(w.message)]
        assert len(messages) == 4 - at                     # one per skipped save
        assert messages[0].startswith(f"ModelCheckpoint: weight {poison.first_bad!r}")
        assert all(repr(path) in m and "keeps its last good contents" in m for m in messages)
        fresh = _model()
        fresh.load_weights(path)
        for kept, good in zip(fresh.get_weights(), poison.good):
            np.testing.assert_array_equal(kept, good)


# ---- a learning-rate schedule's values --------------------------------------------------------
RATES = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-2, 2),
                  st.sampled_from([np.float32(0.05), np.float64(-0.5), np.float32(math.inf),
                                   "0.1", None, np.array(0.1)]))


@SLOW
@given(bad_epoch=st.integers(0, 2), rate=RATES)
def test_a_schedule_value_is_used_exactly_or_refused_naming_scheduler_epoch_value(bad_epoch,
                                                                                  rate):
    def warm_then(epoch):
        return 0.01 if epoch < bad_epoch else rate

    model = _model()
    scheduler = callbacks.LearningRateScheduler(warm_then)
    usable = isinstance(rate, (float, np.floating)) and math.isfinite(rate) and rate >= 0
    if usable:
        model.fit(X, Y, epochs=bad_epoch + 1, verbose=0, callbacks=[scheduler])
        assert model.optimizer.learning_rate == float(rate)
        return
    with pytest.raises(nnkit.InvalidArgumentError) as refused:
        model.fit(X, Y, epochs=bad_epoch + 1, verbose=0, callbacks=[scheduler])
    message = str(refused.value)
    assert message.startswith("LearningRateScheduler (schedule ") and "warm_then" in message
    assert f"epoch {bad_epoch}" in message
    shown = str(float(rate)) if isinstance(rate, (float, np.floating)) else repr(rate)
    assert shown in message, (shown, message)


# ---- CallbackList ----------------------------------------------------------------------------
def test_callback_list_takes_one_callback_none_or_a_list_and_refuses_anything_else():
    one = callbacks.EarlyStopping()
    assert callbacks.CallbackList(one, None, 0, 1, 1).callbacks == [one]
    assert callbacks.CallbackList(None, None, 0, 1, 1).callbacks == []
    assert callbacks.CallbackList((one,), None, 0, 1, 1).callbacks == [one]
    for bad in (5, "accuracy", [one, print]):
        with pytest.raises(nnkit.InvalidArgumentError, match="callbacks: expected a Callback"):
            callbacks.CallbackList(bad, None, 0, 1, 1)
    history = _model().fit(X, Y, epochs=3, verbose=0,
                           callbacks=callbacks.EarlyStopping("loss", patience=0, min_delta=10))
    assert history.epoch == [0, 1]
