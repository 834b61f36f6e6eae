"""ReduceLROnPlateau: lower the learning rate when a monitored quantity stops improving."""
from nnkit.callbacks.base import Callback
from nnkit.callbacks.monitor import Monitor
from nnkit.errors import InvalidArgumentError


class ReduceLROnPlateau(Callback):
    """Keras's ``ReduceLROnPlateau``: after ``patience`` epochs without improvement of
    ``monitor``, ``lr ← max(lr·factor, min_lr)``, then wait ``cooldown`` epochs.

    Args:
        monitor: log key (default "val_loss").
        factor: multiplier of the learning rate, in (0, 1).
        patience: epochs without improvement before a reduction.
        mode: "auto", "min" or "max".
        min_delta: smallest change that counts as an improvement.
        cooldown: epochs after a reduction during which nothing is counted.
        min_lr: lower bound of the learning rate.

    The current rate is logged as ``lr``. An optimizer driven by a schedule is refused.
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0):
        super().__init__()
        if not 0.0 < factor < 1.0:
            raise InvalidArgumentError(f"ReduceLROnPlateau: factor must be in (0, 1), received "
                                       f"{factor!r}")
        self.monitor = Monitor(monitor, mode, min_delta)
        self.factor, self.patience, self.verbose = float(factor), int(patience), verbose
        self.cooldown, self.min_lr = int(cooldown), float(min_lr)
        self.wait = self.cooldown_counter = 0

    def on_train_begin(self, logs=None):
        if self.model.optimizer.schedule is not None:
            raise InvalidArgumentError("ReduceLROnPlateau: the optimizer's learning rate is a "
                                       "schedule; it cannot also be reduced on plateaus")
        self.monitor.best = float("inf")
        self.wait = self.cooldown_counter = 0

    def on_epoch_end(self, epoch, logs=None):
        """Keras's order: a cooldown epoch is counted down first, then the epoch is judged."""
        optimizer = self.model.optimizer
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self.monitor.improved(logs):
            self.wait = 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience and optimizer.learning_rate > self.min_lr:
                optimizer.learning_rate = max(optimizer.learning_rate * self.factor, self.min_lr)
                self.cooldown_counter, self.wait = self.cooldown, 0
                if self.verbose:
                    print(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing the learning rate to "
                          f"{optimizer.learning_rate:.6g}")
        if logs is not None:
            logs["lr"] = optimizer.learning_rate

    def get_state(self):
        return {"best": self.monitor.best, "wait": self.wait,
                "cooldown_counter": self.cooldown_counter}

    def set_state(self, state):
        self.monitor.best = float(state["best"])
        self.wait, self.cooldown_counter = int(state["wait"]), int(state["cooldown_counter"])
