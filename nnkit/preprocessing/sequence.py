"""``pad_sequences``: ragged sequences → one rectangular array, with Keras's exact rules."""
import numpy as np

from nnkit.errors import InvalidArgumentError

_SIDES = ("pre", "post")


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0):
    """Pad (and cut) sequences to a common length, like ``keras.utils.pad_sequences``.

    A sequence longer than ``maxlen`` loses values at its start (``truncating="pre"``) or end
    (``"post"``); a shorter one is filled with ``value`` before (``padding="pre"``) or after
    (``"post"``) it. Elements may themselves be arrays of a common shape S (taken from the first
    non-empty sequence).

    Args:
        sequences: list (or other iterable) of N sequences (lists, tuples or arrays).
        maxlen: output length T; None means the longest sequence's length.
        dtype: output dtype.
        padding, truncating: ``"pre"`` or ``"post"``.
        value: fill value.

    Shapes:
        returns ``(N, T) + S``.

    Returns:
        numpy array of ``dtype``.

    Example:
        >>> pad_sequences([[1, 2, 3], [4]], maxlen=2)
        array([[2, 3],
               [0, 4]], dtype=int32)
    """
    if padding not in _SIDES:
        raise InvalidArgumentError(f"pad_sequences: padding must be 'pre' or 'post', received {padding!r}")
    if truncating not in _SIDES:
        raise InvalidArgumentError(f"pad_sequences: truncating must be 'pre' or 'post', received {truncating!r}")
    if maxlen is not None and (isinstance(maxlen, bool) or not isinstance(maxlen, (int, np.integer)) or maxlen < 0):
        raise InvalidArgumentError(f"pad_sequences: maxlen must be None or an int >= 0, received {maxlen!r}")
    sequences = _as_list_of_sequences(sequences)
    lengths = np.array([len(sequence) for sequence in sequences], dtype=np.int64)
    if maxlen is None:
        maxlen = int(lengths.max(initial=0))
    kept = np.minimum(lengths, maxlen)
    pieces = [_cast_checked(sequence[length - keep:] if truncating == "pre" else sequence[:keep], dtype, index)
              for index, (sequence, length, keep) in enumerate(zip(sequences, lengths.tolist(), kept.tolist()))
              if keep]
    sample_shape = pieces[0].shape[1:] if pieces else ()
    for index, piece in enumerate(pieces):
        if piece.shape[1:] != sample_shape:
            raise InvalidArgumentError(f"pad_sequences: every element must have shape {sample_shape}, "
                                       f"received {piece.shape[1:]} in non-empty sequence #{index}")
    try:
        padded = np.full((len(sequences), maxlen) + sample_shape, value, dtype=dtype)
    except (TypeError, ValueError) as error:
        raise InvalidArgumentError(f"pad_sequences: value={value!r} does not fit dtype {dtype!r}: {error}") from error
    if pieces:
        rows = np.repeat(np.arange(len(sequences)), kept)
        columns = np.arange(int(kept.sum())) - np.repeat(np.cumsum(kept) - kept, kept)
        if padding == "pre":
            columns += (maxlen - kept)[rows]
        padded[rows, columns] = np.concatenate(pieces)
    return padded


def _cast_checked(piece, dtype, index):
    """``piece`` as ``dtype``, refusing values the dtype cannot hold (a cast would wrap them:
    token id 40000 as int16 is -25536) and non-integers cast to an integer dtype."""
    try:
        values = np.asarray(piece)
        target = np.dtype(dtype)
    except (TypeError, ValueError, OverflowError) as error:
        raise InvalidArgumentError(f"pad_sequences: sequences[{index}] cannot be read as {dtype!r}: {error}") from None
    if target.kind in "iu" and values.size:
        if values.dtype.kind not in "biuf":
            raise InvalidArgumentError(f"pad_sequences: sequences[{index}] holds {values.dtype} values, "
                                       f"expected numbers for dtype {dtype!r}")
        limits = np.iinfo(target)
        low, high = values.min(), values.max()
        if low < limits.min or high > limits.max:
            raise InvalidArgumentError(f"pad_sequences: dtype {dtype!r} holds [{limits.min}, {limits.max}], "
                                       f"sequences[{index}] has values in [{low}, {high}]; use a wider dtype "
                                       f"such as 'int32' or 'int64'")
        if values.dtype.kind == "f" and not np.array_equal(values, np.round(values)):
            raise InvalidArgumentError(f"pad_sequences: sequences[{index}] holds non-integer values for "
                                       f"the integer dtype {dtype!r}")
    return values.astype(target)


def _as_list_of_sequences(sequences):
    if isinstance(sequences, (str, bytes)) or not hasattr(sequences, "__iter__"):
        raise InvalidArgumentError("pad_sequences: sequences must be an iterable of sequences, "
                                   f"received {type(sequences).__name__}")
    sequences = list(sequences)
    for index, sequence in enumerate(sequences):
        if not hasattr(sequence, "__len__") or not hasattr(sequence, "__getitem__"):
            raise InvalidArgumentError(f"pad_sequences: sequences[{index}] must be a sequence (list, tuple "
                                       f"or array), received {type(sequence).__name__}")
    return sequences
