"""LearningRateScheduler: set the learning rate at the start of each epoch."""
import inspect

import numpy

from nnkit import validation
from nnkit.callbacks import arguments
from nnkit.callbacks.base import Callback
from nnkit.callbacks.messages import print_msg
from nnkit.errors import InvalidArgumentError


class LearningRateScheduler(Callback):
    """Before every epoch, ``lr ← schedule(epoch, lr)`` (or ``schedule(epoch)`` for a function
    of one argument, Keras's older form); ``epoch`` counts from 0.

    Args:
        schedule: the function; it must return a float (Python or NumPy), as Keras requires,
            finite and >= 0 (else an InvalidArgumentError names the schedule, the epoch and
            the value).
        verbose: 1 prints "Epoch N: LearningRateScheduler setting learning rate to ...".

    The rate is logged as ``learning_rate`` (Keras 3's key) at the end of the epoch. An
    optimizer whose learning rate is a schedule is refused.
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        owner = type(self).__name__
        self.schedule = arguments.function(owner, "schedule", schedule)
        self.verbose = arguments.verbosity(owner, verbose)
        self._takes_rate = _accepts_two_arguments(schedule)

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        if optimizer.schedule is not None:
            raise InvalidArgumentError("LearningRateScheduler: the optimizer's learning rate is "
                                       "already a schedule")
        rate = (self.schedule(epoch, float(optimizer.learning_rate)) if self._takes_rate
                else self.schedule(epoch))
        owner = f"{type(self).__name__} (schedule {_name(self.schedule)})"
        if not isinstance(rate, (float, numpy.floating)):
            raise InvalidArgumentError(f"{owner}: the schedule must return a float, received "
                                       f"{rate!r} at epoch {epoch}")
        optimizer.learning_rate = validation.non_negative(
            owner, f"the learning rate it returned at epoch {epoch}", rate)
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                      f"{rate}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)


def _name(schedule):
    """The schedule as a user would recognise it: its function name, else its repr."""
    return getattr(schedule, "__qualname__", None) or repr(schedule)


def _accepts_two_arguments(function):
    """Whether ``function(epoch, lr)`` binds (a function whose signature cannot be read is
    taken to accept it)."""
    try:
        inspect.signature(function).bind(0, 0.0)
    except TypeError:
        return False
    except ValueError:
        return True
    return True
