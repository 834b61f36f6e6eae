"""Validators for the arguments only callbacks take (frequencies, verbosity, hooks, names),
in the form of ``nnkit.validation``'s: each returns the value or raises
``InvalidArgumentError`` naming the callback, the argument, what was expected and what was
received."""
import numbers

from nnkit.errors import InvalidArgumentError


def save_frequency(owner, argument, value):
    """``"epoch"`` or a whole number of batches >= 1 (Keras's ``save_freq``/``update_freq``;
    Keras also takes 0, negative numbers and False, which save after every batch)."""
    if isinstance(value, str) and value == "epoch":
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise InvalidArgumentError(f"{owner}: {argument} must be 'epoch' or a positive number "
                                   f"of batches, received {value!r}")
    return int(value)


def verbosity(owner, value):
    """``verbose``: a whole number >= 0 or a bool (as Keras's callbacks compare it with 0)."""
    if isinstance(value, bool):
        return int(value)
    if not isinstance(value, numbers.Integral) or value < 0:
        raise InvalidArgumentError(f"{owner}: verbose must be an integer >= 0 (0 silent, 1 "
                                   f"messages), received {value!r}")
    return int(value)


def log_key(owner, argument, value):
    """A non-empty string naming a log entry (``monitor="val_loss"``)."""
    if not isinstance(value, str) or not value:
        raise InvalidArgumentError(f"{owner}: {argument} must be the name of a logged "
                                   f"quantity (a non-empty string such as 'val_loss'), "
                                   f"received {value!r}")
    return value


def function(owner, argument, value):
    """A callable (a schedule, a hook)."""
    if not callable(value):
        raise InvalidArgumentError(f"{owner}: {argument} must be a function, received "
                                   f"{type(value).__name__} {value!r}")
    return value
