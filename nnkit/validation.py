"""Argument validators shared by every layer, optimizer and callback.

Each returns the value converted (``int``/``float``) or raises ``InvalidArgumentError``
naming the owner (``"Dense 'dense_1'"``, ``"Adam"``), the argument, what was expected and
what was received. Booleans, strings, None, NaN and infinities are refused unless the
validator says otherwise, so ``Dense(2.5)`` or ``Adam(beta_1=1)`` never pass silently.
"""
import math
import numbers

from nnkit.errors import InvalidArgumentError


def _refuse(owner, argument, expected, value):
    raise InvalidArgumentError(f"{owner}: {argument} must be {expected}, received {value!r}")


def positive_int(owner, argument, value, allow_none=False):
    """A whole number >= 1 (an integral float such as 3.0 is refused too: Keras refuses it)."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        _refuse(owner, argument, "a positive integer" + (" or None" if allow_none else ""),
                value)
    return int(value)


def non_negative_int(owner, argument, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        _refuse(owner, argument, "an integer >= 0", value)
    return int(value)


def real(owner, argument, value, low=-math.inf, high=math.inf, low_open=False,
         high_open=False, allow_none=False):
    """A finite real number in the interval from ``low`` to ``high`` (open ends as given)."""
    if value is None and allow_none:
        return None
    interval = f"{'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or \
            not math.isfinite(value):
        _refuse(owner, argument, f"a finite number in {interval}", value)
    value = float(value)
    if value < low or value > high or (low_open and value == low) or \
            (high_open and value == high):
        _refuse(owner, argument, f"a number in {interval}", value)
    return value


def rate(owner, argument, value):
    """A probability of dropping: a number in [0, 1)."""
    return real(owner, argument, value, 0.0, 1.0, high_open=True)


def decay(owner, argument, value):
    """A moving-average factor (momentum, rho, beta): a number in [0, 1)."""
    return real(owner, argument, value, 0.0, 1.0, high_open=True)


def positive(owner, argument, value, allow_none=False):
    """A finite number > 0 (epsilons, clip norms)."""
    return real(owner, argument, value, 0.0, low_open=True, allow_none=allow_none)


def non_negative(owner, argument, value, allow_none=False):
    """A finite number >= 0 (learning rates, weight decay)."""
    return real(owner, argument, value, 0.0, allow_none=allow_none)


def one_of(owner, argument, value, choices):
    try:
        known = value in choices
    except (TypeError, ValueError):          # an array compared with the choices
        known = False
    if not known:
        _refuse(owner, argument, f"one of {list(choices)}", value)
    return value
