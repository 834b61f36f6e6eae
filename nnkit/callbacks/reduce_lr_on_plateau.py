"""ReduceLROnPlateau: lower the learning rate when a monitored quantity stops improving."""
import warnings

import numpy

from nnkit import validation
from nnkit.callbacks import arguments
from nnkit.callbacks.messages import print_msg
from nnkit.callbacks.monitor import MonitorCallback
from nnkit.errors import InvalidArgumentError


class ReduceLROnPlateau(MonitorCallback):
    """Keras's ``ReduceLROnPlateau``: after ``patience`` epochs without improvement of
    ``monitor``, ``lr ← max(lr·factor, min_lr)`` (while ``lr`` is above ``min_lr``), then
    wait ``cooldown`` epochs.

    Args:
        monitor: log key (default "val_loss").
        factor: multiplier of the learning rate, in (0, 1) (Keras takes any factor below 1,
            but 0 would stop training and a negative one would make the rate negative).
        patience: epochs without improvement before a reduction (an integer >= 0).
        verbose: 1 prints "Epoch N: ReduceLROnPlateau reducing learning rate to ...".
        mode: "auto", "min" or "max" (see ``MonitorCallback``).
        min_delta: smallest change that counts as an improvement.
        cooldown: epochs after a reduction during which nothing is counted (an integer
            >= 0).
        min_lr: lower bound of the learning rate (a finite number >= 0).
        epsilon: Keras 2's name of ``min_delta`` (taken with a DeprecationWarning).

    The current rate is logged as ``learning_rate`` (Keras 3's key). An optimizer driven
    by a schedule is refused. A monitor missing from the logs is warned about.
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0, **kwargs):
        if "epsilon" in kwargs:
            warnings.warn("ReduceLROnPlateau: `epsilon` is deprecated, use `min_delta`",
                          DeprecationWarning, stacklevel=2)
            min_delta = kwargs.pop("epsilon")
        if kwargs:
            raise InvalidArgumentError(f"ReduceLROnPlateau: unknown arguments {sorted(kwargs)}")
        super().__init__(monitor, mode, min_delta=min_delta)
        owner = type(self).__name__
        self.factor = validation.real(owner, "factor", factor, 0.0, 1.0, low_open=True,
                                      high_open=True)
        self.patience = validation.non_negative_int(owner, "patience", patience)
        self.verbose = arguments.verbosity(owner, verbose)
        self.cooldown = validation.non_negative_int(owner, "cooldown", cooldown)
        self.min_lr = validation.non_negative(owner, "min_lr", min_lr)
        self.wait = self.cooldown_counter = 0

    def on_train_begin(self, logs=None):
        if self.model.optimizer.schedule is not None:
            raise InvalidArgumentError("ReduceLROnPlateau: the optimizer's learning rate is a "
                                       "schedule; it cannot also be reduced on plateaus")
        self.best = None
        self.wait = self.cooldown_counter = 0

    def on_epoch_end(self, epoch, logs=None):
        """Keras's order: a cooldown epoch is counted down first, then the epoch is judged."""
        self._resolve_direction()
        optimizer = self.model.optimizer
        logs = {} if logs is None else logs
        logs["learning_rate"] = float(optimizer.learning_rate)
        current = self._current(logs, "Learning rate reduction is")
        if current is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best, self.wait = current, 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience and optimizer.learning_rate > numpy.float32(self.min_lr):
                optimizer.learning_rate = max(optimizer.learning_rate * self.factor, self.min_lr)
                self.cooldown_counter, self.wait = self.cooldown, 0
                if self.verbose > 0:
                    print_msg(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate "
                              f"to {optimizer.learning_rate}.")

    def get_state(self):
        return {"best": self.best, "wait": self.wait, "cooldown_counter": self.cooldown_counter}

    def set_state(self, state):
        self.best = None if state["best"] is None else float(state["best"])
        self.wait, self.cooldown_counter = int(state["wait"]), int(state["cooldown_counter"])
