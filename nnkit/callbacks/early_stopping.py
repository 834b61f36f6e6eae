"""EarlyStopping: stop when a monitored quantity stops improving (Keras 3's rules)."""
from nnkit import validation
from nnkit.callbacks import arguments
from nnkit.callbacks.messages import print_msg
from nnkit.callbacks.monitor import MonitorCallback


class EarlyStopping(MonitorCallback):
    """Stop training after ``patience`` epochs without improvement of ``monitor``.

    Each epoch from ``start_from_epoch`` on counts one more epoch of waiting unless the
    value beats the best so far by more than ``min_delta`` *and* beats ``baseline`` (when
    given); training stops at the end of an epoch (never the first) once ``patience`` epochs
    have been waited. A monitor missing from the logs is warned about and the epoch skipped.

    Args:
        monitor: log key (default "val_loss").
        min_delta: smallest change that counts as an improvement (a finite number).
        patience: epochs without improvement before stopping (an integer >= 0).
        verbose: 1 prints "Epoch N: early stopping" and the restoring message.
        mode: "auto", "min" or "max" (see ``MonitorCallback``).
        baseline: a value to beat: until an epoch beats it, every epoch counts as waiting.
        restore_best_weights: when training ends, put back the weights of the best epoch
            (also if no epoch beat ``baseline``: the best of those seen).
        start_from_epoch: epochs at the start that are not watched (a warm-up; an integer
            >= 0).

    Raises:
        InvalidArgumentError: an argument of the wrong type or range (a float patience,
            a NaN min_delta or baseline, a mode other than the three), naming it.

    Attributes:
        stopped_epoch: the epoch at which training stopped (0 if it did not).
        wait: epochs since the last improvement.
        best_epoch: the epoch of ``best``.

    A resumed fit (``BackupAndRestore``) continues ``best``, ``wait`` and ``best_epoch``;
    the best weights are not in the checkpoint, so with ``restore_best_weights`` a resumed
    run restores the best epoch seen after the resume.
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__(monitor, mode, min_delta=min_delta)
        owner = type(self).__name__
        self.patience = validation.non_negative_int(owner, "patience", patience)
        self.verbose = arguments.verbosity(owner, verbose)
        self.baseline = validation.real(owner, "baseline", baseline, allow_none=True)
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = validation.non_negative_int(owner, "start_from_epoch",
                                                            start_from_epoch)
        self.wait = self.stopped_epoch = self.best_epoch = 0
        self.best_weights = None

    def on_train_begin(self, logs=None):
        self.wait = self.stopped_epoch = self.best_epoch = 0
        self.best = None                        # a new fit does not compare with an old best
        self.best_weights = None

    def on_epoch_end(self, epoch, logs=None):
        self._resolve_direction()
        current = self._current(logs, "Early stopping")
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = self.model.get_weights(), epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print_msg(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print_msg(f"Restoring model weights from the end of the best epoch: "
                          f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)

    def get_state(self):
        return {"best": self.best, "wait": self.wait, "best_epoch": self.best_epoch}

    def set_state(self, state):
        self.best = None if state["best"] is None else float(state["best"])
        self.wait, self.best_epoch = int(state["wait"]), int(state.get("best_epoch", 0))
