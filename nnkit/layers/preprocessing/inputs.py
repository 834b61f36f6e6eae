"""What the preprocessing layers accept: arrays of text, arrays of integers, and ``adapt``'s
data (a list or array, a ``Sequence`` of batches, or any iterable of batches)."""
import numpy

from nnkit.errors import DTypeError, InvalidArgumentError, ShapeError, describe


def _text(value, where):
    if isinstance(value, (bytes, numpy.bytes_)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError as error:
            raise DTypeError(f"{where}: a string is not valid UTF-8 ({error})") from None
    if isinstance(value, str):
        return str(value)
    raise DTypeError(f"{where}: expected strings, received an element of type "
                     f"{type(value).__name__} ({value!r:.40})")


def string_array(x, where):
    """``x`` (nested lists, a ``str``/bytes/object array) as an object array of ``str``.

    Raises:
        DTypeError: a non-string element or bytes that are not UTF-8.
        ShapeError: ragged nested lists.
    """
    if isinstance(x, (str, bytes)):
        x = [x]
    try:
        array = numpy.asarray(x, dtype=object)
    except ValueError as error:
        raise ShapeError(f"{where}: cannot form an array of strings (ragged lists?): "
                         f"{error}") from None
    if array.dtype.kind in "US" or array.dtype == object:
        flat = [_text(value, where) for value in array.reshape(-1).tolist()]
        out = numpy.empty(len(flat), dtype=object)
        out[:] = flat
        return out.reshape(array.shape)
    raise DTypeError(f"{where}: expected strings, received {describe(array)}")


def integer_array(x, where):
    """``x`` as an int64 array (floats holding whole numbers are taken too)."""
    array = numpy.asarray(x)
    if array.dtype.kind in "iub":
        return array.astype("int64")
    if array.dtype.kind == "f" and numpy.isfinite(array).all() and (array == numpy.round(array)).all():
        return array.astype("int64")
    raise DTypeError(f"{where}: expected integers, received {describe(array)}")


def adapt_batches(data, steps, where):
    """``(batch, whole)`` pairs ``adapt`` reads: the whole list/array at once (``whole``
    True: each element is a document), or a Sequence's / iterable's batches (the first of an
    ``(x, y)`` pair; a 1-D batch is one document, as Keras's ``update_state``), at most
    ``steps`` of them."""
    if steps is not None and (isinstance(steps, bool) or not isinstance(steps, int) or steps < 1):
        raise InvalidArgumentError(f"{where}: steps must be a positive integer or None, "
                                   f"received {steps!r}")
    if isinstance(data, (list, tuple, numpy.ndarray, str, bytes)):
        yield data, True
        return
    if hasattr(data, "__len__") and hasattr(data, "__getitem__"):
        items = (data[i] for i in range(len(data)))
    elif hasattr(data, "__iter__"):
        items = iter(data)
    else:
        raise InvalidArgumentError(f"{where}: adapt takes a list or array of examples, a "
                                   f"Sequence or an iterable of batches, received "
                                   f"{type(data).__name__}")
    for index, batch in enumerate(items):
        if steps is not None and index >= steps:
            break
        yield (batch[0] if isinstance(batch, tuple) else batch), False
