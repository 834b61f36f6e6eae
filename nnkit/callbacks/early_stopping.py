"""EarlyStopping: stop when a monitored quantity stops improving."""
import math

from nnkit.callbacks.base import Callback
from nnkit.callbacks.monitor import Monitor


class EarlyStopping(Callback):
    """Stop training after ``patience`` epochs without improvement of ``monitor``.

    Args:
        monitor: log key (default "val_loss").
        patience: epochs without improvement before stopping.
        min_delta, mode: see ``Monitor``.
        restore_best_weights: put back the weights of the best epoch when stopping
            (or at the end of training).

    Attributes:
        stopped_epoch: the epoch at which training stopped (0 if it did not).
        wait: epochs since the last improvement.
    """

    def __init__(self, monitor="val_loss", patience=0, min_delta=0.0, mode="auto",
                 restore_best_weights=False):
        super().__init__()
        self.monitor = Monitor(monitor, mode, min_delta)
        self.patience = int(patience)
        self.restore_best_weights = restore_best_weights
        self.wait = 0
        self.stopped_epoch = 0
        self.best_weights = None

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best_weights = None
        self.monitor.best = math.inf           # a new fit does not compare with an old best

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor.improved(logs):
            self.wait = 0
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            return
        self.wait += 1
        if self.wait >= max(self.patience, 1):       # Keras: `patience` epochs without improvement
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.restore_best_weights and self.best_weights is not None:
            self.model.set_weights(self.best_weights)

    def get_state(self):
        return {"best": self.monitor.best, "wait": self.wait}

    def set_state(self, state):
        self.monitor.best = float(state["best"])
        self.wait = int(state["wait"])
