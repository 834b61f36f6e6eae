"""Keras's word-id encoding of imdb and reuters, on ragged ``(flat, lengths)`` arrays.

A list of N sequences is held as ``flat (L,)`` (all ids, row after row) and ``lengths (N,)``,
so shuffling, encoding and vocabulary limits are whole-array NumPy operations. The rules are
Keras's: ``start_char`` in front, ``index_from`` added to every word rank, sequences not
shorter than ``maxlen`` dropped, ids outside ``[skip_top, num_words)`` made ``oov_char``.
"""
import itertools
import json

import numpy as np

from nnkit.errors import InvalidArgumentError
from nnkit.utils.downloads import DatasetError


def check_encoding(function, num_words, skip_top, start_char, oov_char, index_from):
    """Validate the encoding arguments of ``function`` (e.g. ``"reuters.load_data"``)."""
    check_int(function, "num_words", num_words, minimum=1, optional=True)
    check_int(function, "skip_top", skip_top, minimum=0)
    check_int(function, "start_char", start_char, minimum=0, optional=True)
    check_int(function, "oov_char", oov_char, minimum=0, optional=True)
    check_int(function, "index_from", index_from, minimum=0)


def check_int(function, name, value, minimum, optional=False):
    """``value`` is an int ``>= minimum`` (or None when ``optional``), else InvalidArgumentError."""
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        expected = f"an int >= {minimum}" + (" or None" if optional else "")
        raise InvalidArgumentError(f"{function}: {name} must be {expected}, received {value!r}")


def to_ragged(sequences, key):
    """Object array ``(N,)`` of id lists → ``(flat (L,), lengths (N,))`` int64.

    Raises:
        ValueError: not a 1-D array, or a negative id (naming ``key``).
    """
    if not (isinstance(sequences, np.ndarray) and sequences.ndim == 1):
        raise ValueError(f"{key} must be a 1-D array of sequences")
    lengths = np.fromiter(map(len, sequences), np.int64, count=len(sequences))
    flat = np.fromiter(itertools.chain.from_iterable(sequences), np.int64, count=int(lengths.sum()))
    if flat.size and flat.min() < 0:
        raise ValueError(f"{key} holds negative word ranks")
    return flat, lengths


def take_rows(flat, lengths, rows):
    """Select (and reorder) ragged rows: ``(flat (L,), lengths (N,))`` → rows ``rows``."""
    starts = np.cumsum(lengths) - lengths
    new_lengths = lengths[rows]
    new_starts = np.cumsum(new_lengths) - new_lengths
    positions = np.arange(int(new_lengths.sum())) + np.repeat(starts[rows] - new_starts, new_lengths)
    return flat[positions], new_lengths


def encode(flat, lengths, start_char, index_from):
    """Add ``index_from`` to every rank and put ``start_char`` (if any) in front of each row."""
    flat = flat + index_from
    if start_char is None:
        return flat, lengths
    return np.insert(flat, np.cumsum(lengths) - lengths, start_char), lengths + 1


def limit_vocabulary(flat, lengths, num_words, skip_top, oov_char):
    """Ids outside ``[skip_top, num_words)`` become ``oov_char``, or are dropped if it is None."""
    in_range = flat >= skip_top
    if num_words is not None:
        in_range &= flat < num_words
    if oov_char is not None:
        return np.where(in_range, flat, oov_char), lengths
    rows = np.repeat(np.arange(len(lengths)), lengths)
    return flat[in_range], np.bincount(rows[in_range], minlength=len(lengths))


def to_object_array(flat, lengths):
    """Ragged ``(flat, lengths)`` → object array ``(N,)`` of lists of Python ints (Keras's format)."""
    values, ends = flat.tolist(), np.cumsum(lengths).tolist()
    return np.fromiter((values[end - length:end] for end, length in zip(ends, lengths.tolist())),
                       dtype=object, count=len(ends))


def read_word_index(file):
    """The word → rank dict of a Keras word-index JSON file.

    Raises:
        DatasetError: not JSON, or not an object of word → int rank (names the file).
    """
    try:
        word_index = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DatasetError(f"{file} is not a JSON word index: {error}") from error
    if not isinstance(word_index, dict) or not all(type(rank) is int for rank in word_index.values()):
        raise DatasetError(f"{file} is not a word index: expected a JSON object of word -> int rank")
    return word_index
