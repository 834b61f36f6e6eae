"""Argument validators shared by every layer, optimizer and callback.

Each returns the value converted (``int``/``float``) or raises ``InvalidArgumentError``
naming the owner (``"Dense 'dense_1'"``, ``"Adam"``), the argument, what was expected and
what was received. Booleans, strings, None, NaN and infinities are refused unless the
validator says otherwise, so ``Dense(2.5)`` or ``Adam(beta_1=1)`` never pass silently.
"""
import math
import numbers

import numpy

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


def _is_int(value, low):
    return not isinstance(value, bool) and isinstance(value, numbers.Integral) and \
        (low is None or value >= low)


def integer(owner, argument, value, low=None):
    """A whole number (>= ``low`` when given): an axis, an index, a count."""
    if not _is_int(value, low):
        _refuse(owner, argument, "an integer" + ("" if low is None else f" >= {low}"), value)
    return int(value)


def integers(owner, argument, value, length=None, low=1):
    """A tuple of whole numbers, each >= ``low`` (None: any): a sequence of ``length`` of them
    (any non-empty length when None), or one whole number standing for ``length`` equal ones
    (Keras's ``kernel_size=3`` for ``(3, 3)``; kept as a 1-tuple when ``length`` is None)."""
    values = (value,) * (length or 1) if _is_int(value, None) else \
        tuple(value) if isinstance(value, (list, tuple)) else None
    if values is None or not values or (length is not None and len(values) != length) or \
            not all(_is_int(v, low) for v in values):
        kind = {0: "non-negative ", 1: "positive "}.get(low, "")
        bound = "" if low is None or kind else f" >= {low}"
        _refuse(owner, argument, f"a non-empty list of {kind}integers{bound}" if length is None
                else f"{'a' if kind else 'an'} {kind}integer{bound} or a list of {length} "
                     f"{kind}integers{bound}", value)
    return tuple(int(v) for v in values)


def shape(owner, argument, value):
    """An array shape: a sequence of sizes >= 1, None for a size not known yet."""
    if not isinstance(value, (list, tuple)) or \
            not all(size is None or _is_int(size, 1) for size in value):
        _refuse(owner, argument, "a tuple of positive integers (None for any length)", value)
    return tuple(None if size is None else int(size) for size in value)


def flag(owner, argument, value, allow_none=False):
    """A boolean switch: True/False (NumPy's too, and 0/1); a string such as "false" is refused,
    since it would read as True."""
    if value is None and allow_none:
        return None
    if not isinstance(value, (bool, numpy.bool_)) and not (_is_int(value, 0) and value <= 1):
        _refuse(owner, argument, "True or False" + (" or None" if allow_none else ""), value)
    return bool(value)


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
    """A fraction of units dropped: a finite number in [0, 1) (1 would drop every unit and
    scale the none kept by 1/0; Keras takes it, and clamps recurrent rates silently)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or \
            not 0.0 <= value < 1.0:
        _refuse(owner, argument, "in [0, 1) (the fraction dropped)", value)
    return float(value)


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
