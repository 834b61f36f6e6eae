"""Arguments of op constructors: ints (Python's or a 0-d NumPy/CuPy integer), tuples of ints
and axes, checked with errors that name the op and the argument, and written back as JSON.
"""
from nnkit.errors import InvalidArgumentError


def is_int(value):
    """A Python int or an integer scalar of NumPy or CuPy, not a bool."""
    if isinstance(value, bool):
        return False
    dtype = getattr(value, "dtype", None)
    return isinstance(value, int) or dtype is not None and dtype.kind in "iu" and value.ndim == 0


def int_tuple(value, op_name, argument):
    """``value`` (an int or a sequence of ints) as a tuple of ints.

    Raises:
        InvalidArgumentError: anything else.
    """
    values = (value,) if is_int(value) else value
    try:
        values = tuple(values)
    except TypeError:
        values = (None,)
    if not all(is_int(entry) for entry in values):
        raise InvalidArgumentError(f"ops.{op_name}: {argument} must be an int or a sequence of "
                                   f"ints, received {value!r}")
    return tuple(int(entry) for entry in values)


def axis_argument(axis, op_name):
    """``axis`` as given (an int), or a tuple of ints for a sequence (checked)."""
    values = int_tuple(axis, op_name, "axis")
    return values[0] if is_int(axis) else values


def axis_config(axis):
    """``axis`` (None, an int or a tuple) as JSON."""
    return list(axis) if isinstance(axis, tuple) else axis
