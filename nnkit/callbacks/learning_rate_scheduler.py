"""LearningRateScheduler: set the learning rate at the start of each epoch."""
from nnkit.callbacks.base import Callback
from nnkit.errors import InvalidArgumentError


class LearningRateScheduler(Callback):
    """Call ``schedule(epoch, lr) -> new_lr`` before every epoch.

    The current rate is logged as ``lr`` at the end of the epoch.
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        if optimizer.schedule is not None:
            raise InvalidArgumentError("LearningRateScheduler: the optimizer's learning rate is "
                                       "already a schedule")
        optimizer.learning_rate = float(self.schedule(epoch, optimizer.learning_rate))
        if self.verbose:
            print(f"Epoch {epoch + 1}: learning rate {optimizer.learning_rate:.6g}")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["lr"] = self.model.optimizer.learning_rate
