"""Exact resume: where ``fit`` is inside an epoch, and continuing from a checkpoint.

``fit`` keeps one ``FitProgress`` (``model._progress``). It hands out the
batches of each epoch and remembers the epoch, the batch index and the epoch's
shuffle order, so ``BackupAndRestore`` can write them with the weights, the
optimizer state, nnkit's generator state, the running loss and metrics of the
epoch, the History so far and the callbacks' states. Given such a checkpoint
(``fit(resume_from=path)``) it restores all of that and skips the batches
already done, so the resumed run's loss trace equals the uninterrupted one.

Order of a resumed fit: ``on_train_begin`` (callbacks reset themselves), then the
checkpoint is restored (weights, optimizer, History, callback states); in the
resumed epoch ``on_epoch_begin`` runs, then the saved learning rate and
generator state are put back (so a schedule applied again changes nothing) and
the remaining batches run.
"""
import os
import warnings

import numpy

from nnkit import random
from nnkit.errors import CheckpointError, InvalidArgumentError
from nnkit.saving.api import first_non_finite_weight
from nnkit.saving.hdf5 import write_model
from nnkit.saving.reader import CheckpointReader
from nnkit.saving.training_state import read_training_state, write_training_state
from nnkit.models.strategy import LOCAL


def callback_key(index, callback):
    return f"{index}:{type(callback).__name__}"


def callback_state(callback):
    """A callback's JSON state: its ``get_state()``, or its monitor's best value."""
    if hasattr(callback, "get_state") and hasattr(callback, "set_state"):
        return callback.get_state()
    monitor = getattr(callback, "monitor", None)
    if hasattr(monitor, "best"):
        return {"monitor_best": monitor.best}
    return None


def set_callback_state(callback, state):
    if hasattr(callback, "get_state") and hasattr(callback, "set_state"):
        callback.set_state(state)
    elif isinstance(state, dict) and "monitor_best" in state:
        callback.monitor.best = float(state["monitor_best"])


def tracker_state(tracker):
    """Running loss and metric counters of an epoch, per output (plain numbers, JSON-exact)."""
    return {"outputs": [{"loss_sum": output.loss_sum, "count": output.count,
                         "metrics": [metric.get_state() for metric in output.metrics]}
                        for output in tracker.outputs], "penalty_sum": tracker.penalty_sum}


def set_tracker_state(tracker, state):
    tracker.penalty_sum = float(state.get("penalty_sum", 0.0))
    outputs = state["outputs"]
    if len(outputs) != len(tracker.outputs):
        raise CheckpointError(f"resume state has {len(outputs)} outputs, the model has "
                              f"{len(tracker.outputs)}")
    for output, saved in zip(tracker.outputs, outputs):
        output.loss_sum = float(saved["loss_sum"])
        output.count = float(saved["count"])
        if len(saved["metrics"]) != len(output.metrics):
            raise CheckpointError(f"resume state has {len(saved['metrics'])} metric states, "
                                  f"the model has {len(output.metrics)} metrics")
        for metric, values in zip(output.metrics, saved["metrics"]):
            try:
                metric.set_state(values)
            except (InvalidArgumentError, TypeError, ValueError) as error:
                raise CheckpointError(f"resume state: metric {metric.name!r}: {error}") from None


class FitProgress:
    """The position of a running ``fit`` and, when resuming, the state to restore.

    Attributes:
        epoch, step: the epoch and the index of the batch running or just finished
            (-1: none yet).
        epoch_batches: the index arrays of the current epoch's batches.
        tracker: the running loss/metrics of the current epoch.
    """

    def __init__(self, model, callbacks, source, batch_size, shuffle, resume_from=None,
                 strategy=LOCAL):
        self.model, self.strategy = model, strategy
        self.callbacks = list(callbacks)
        self.source = source
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.epoch, self.step = 0, -1
        self.epoch_batches, self.tracker = None, None
        self.resume = None
        if resume_from is None:
            resume_from = next((getattr(c, "filepath") for c in self.callbacks
                                if getattr(c, "restores_on_fit", False)
                                and os.path.exists(getattr(c, "filepath"))), None)
        if resume_from is not None:
            if not source.exact_resume:
                raise InvalidArgumentError("resume_from: a generator cannot be rewound to where "
                                           "the checkpoint stopped; give arrays or a "
                                           "nnkit.utils.Sequence to resume exactly")
            self._load(resume_from)

    # ---- what fit asks ------------------------------------------------------
    def first_epoch(self, initial_epoch):
        return initial_epoch if self.resume is None else self.resume["state"]["epoch"]

    def batches(self, epoch, tracker):
        """Yield ``(step, index)`` for the batches of ``epoch`` still to run."""
        self.epoch, self.step, self.tracker = epoch, -1, tracker
        resume, self.resume = self.resume, None
        if resume is not None and resume["state"]["epoch"] == epoch:
            state = resume["state"]
            self.epoch_batches = resume["batches"]
            self.model.optimizer.learning_rate = float(state["learning_rate"])
            random.set_state(resume["rng_state"])
            self.strategy.restart_streams(resume["rng_state"])   # every rank: the shared stream
            set_tracker_state(tracker, state["tracker"])
            self.step = start = state["step"]
        else:
            self.epoch_batches = self.source.epoch_batches(self.shuffle)
            start = -1
        self.source.start(self.epoch_batches[start + 1:])
        for step in range(start + 1, len(self.epoch_batches)):
            self.step = step  # read by BackupAndRestore at this batch's end
            yield step, self.epoch_batches[step]

    # ---- what BackupAndRestore writes ---------------------------------------
    def state(self):
        """``(state, order, batch_lengths)`` after batch ``self.step``: JSON + two int arrays."""
        history = self.model.history
        state = {"epoch": self.epoch, "step": self.step,
                 "num_examples": int(self.source.num_examples), "batch_size": self.batch_size,
                 "shuffle": self.shuffle,
                 "learning_rate": self.model.optimizer.learning_rate,
                 "tracker": tracker_state(self.tracker),
                 "history": {"epoch": list(history.epoch), "history": history.history},
                 "callbacks": {callback_key(i, c): callback_state(c)
                               for i, c in enumerate(self.callbacks)}}
        lengths = numpy.array([len(index) for index in self.epoch_batches], dtype="int64")
        order = numpy.concatenate(self.epoch_batches).astype("int64")
        return state, order, lengths

    def save(self, path):
        """Write a resumable checkpoint to ``path`` (atomic): the model file (weights,
        optimizer, generator state) plus ``/training_state`` after batch ``self.step``.

        A model with a non-finite weight is not written (a warning says so): the file keeps
        the last state training can resume from."""
        bad = first_non_finite_weight(self.model)
        if bad is not None:
            warnings.warn(f"BackupAndRestore: weight {bad!r} holds NaN or infinity; "
                          f"{str(path)!r} keeps its last good state", RuntimeWarning,
                          stacklevel=2)
            return
        state, order, lengths = self.state()
        write_model(self.model, path,
                    extra=lambda file: write_training_state(file, state, order, lengths))

    # ---- restoring ----------------------------------------------------------
    def _load(self, path):
        with CheckpointReader(path) as reader:
            resume = read_training_state(reader)
        state = resume["state"]
        self._check_matches(state)
        with CheckpointReader(path) as reader:
            if not self.model.built:
                self.model.batch_output_shapes(self.source.batch(numpy.array([0]))[0])
            reader.read_weights(self.model)
            if not reader.has_training_config():
                reader.fail("has no optimizer state (saved without include_optimizer?)")
            reader.compile(self.model)
            resume["rng_state"] = reader.rng_state()
            if self.model.tokenizer is None:
                self.model.tokenizer = reader.read_tokenizer()
        if int(resume["order"].max(initial=0)) >= self.source.num_examples:
            raise CheckpointError(f"checkpoint {path!r}: shuffle order refers to example "
                                  f"{int(resume['order'].max())} of {self.source.num_examples}")
        cuts = numpy.cumsum(resume["lengths"])[:-1]
        resume["batches"] = numpy.split(resume["order"], cuts)
        history = self.model.history
        history.epoch = list(state["history"]["epoch"])
        history.history = {key: list(values) for key, values in
                           state["history"]["history"].items()}
        for i, callback in enumerate(self.callbacks):
            saved = state["callbacks"].get(callback_key(i, callback))
            if saved is not None:
                set_callback_state(callback, saved)
        self.resume = resume

    def _check_matches(self, state):
        for key, value in (("num_examples", int(self.source.num_examples)),
                           ("batch_size", self.batch_size), ("shuffle", self.shuffle)):
            if state[key] != value:
                raise InvalidArgumentError(f"resume_from: the checkpoint was written by a fit "
                                           f"with {key}={state[key]!r}, this fit has {value!r}")
