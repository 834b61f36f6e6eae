"""Reuters newswire topics (11,228 wires of Reuters-21578, 46 topics), as ``keras.datasets.reuters``.

Keras's ``reuters.npz`` and ``reuters_word_index.json``, from Keras's origin with Keras's
checksums. Word ranks are encoded as in ``imdb`` (``nnkit.datasets.word_sequences``).
"""
import numpy as np

from nnkit.datasets.download import KERAS_ORIGIN_FOLDER, find_or_download
from nnkit.datasets.npz import malformed, read_npz
from nnkit.datasets.word_sequences import (check_encoding, check_int, encode, limit_vocabulary, read_word_index,
                                           take_rows, to_object_array, to_ragged)
from nnkit.errors import InvalidArgumentError

ORIGIN_FOLDER = KERAS_ORIGIN_FOLDER       # read at call time: tests point it at file:// fixtures
FILE_NAME = "reuters.npz"
FILE_SHA256 = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_NAME = "reuters_word_index.json"
WORD_INDEX_MD5 = "4d44cc38712099c9e383dc6e5f11a921"
CACHE_SUBDIR = "reuters"
LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply", "coffee",
    "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas", "cpi", "money-fx",
    "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin", "strategic-metal", "livestock",
    "retail", "ipi", "iron-steel", "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem",
    "dlr", "gas", "silver", "wpi", "hog", "lead")


def load_data(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2, seed=113,
              start_char=1, oov_char=2, index_from=3):
    """Load the wires as word-id sequences, exactly as ``keras.datasets.reuters.load_data`` does.

    Keras's procedure: shuffle all wires with ``numpy.random.RandomState(seed)``; prepend
    ``start_char``; add ``index_from`` to every rank; keep sequences with ``len < maxlen``
    (start id included); ids ``>= num_words`` or ``< skip_top`` become ``oov_char`` (dropped
    when it is None; ``num_words=None`` means the largest id present); the first
    ``int(N * (1 - test_split))`` wires are the training set.

    Args:
        path: the file's name in the cache (Keras's meaning), or a local ``reuters.npz`` (a path
            with a folder part) or a folder holding it.
        num_words, skip_top, maxlen, seed, start_char, oov_char, index_from: as in ``imdb.load_data``.
        test_split: fraction of wires for the test set, in ``[0, 1]``.

    Shapes:
        x ``(N,)`` object arrays of lists of int, y ``(N,)`` int64 topics 0-45; without
        ``maxlen`` N = 8982 train, 2246 test.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = nnkit.datasets.reuters.load_data(num_words=10000)
    """
    check_encoding("reuters.load_data", num_words, skip_top, start_char, oov_char, index_from)
    check_int("reuters.load_data", "maxlen", maxlen, minimum=1, optional=True)
    check_int("reuters.load_data", "seed", seed, minimum=0)
    if isinstance(test_split, bool) or not isinstance(test_split, (int, float)) or not 0 <= test_split <= 1:
        raise InvalidArgumentError(f"reuters.load_data: test_split must be a number in [0, 1], "
                                   f"received {test_split!r}")
    file = find_or_download((FILE_NAME,), CACHE_SUBDIR, ORIGIN_FOLDER + FILE_NAME, path=path,
                            sha256=FILE_SHA256, keras_subdir="datasets")
    flat, lengths, labels = _read_reuters_npz(file)
    order = np.arange(len(lengths))
    np.random.RandomState(seed).shuffle(order)
    flat, lengths = encode(*take_rows(flat, lengths, order), start_char, index_from)
    labels = labels[order]
    if maxlen is not None:
        short = np.flatnonzero(lengths < maxlen)
        if not short.size:
            raise InvalidArgumentError(f"reuters.load_data: maxlen={maxlen} removes every sequence (kept "
                                       f"are those shorter than maxlen); increase it")
        (flat, lengths), labels = take_rows(flat, lengths, short), labels[short]
    if num_words is None:
        num_words = int(flat.max(initial=0))
    x = to_object_array(*limit_vocabulary(flat, lengths, num_words, skip_top, oov_char))
    n_train = int(len(x) * (1 - test_split))
    return (x[:n_train], labels[:n_train]), (x[n_train:], labels[n_train:])


def get_word_index(path="reuters_word_index.json"):
    """Keras's Reuters word index: word → frequency rank (ids in ``load_data`` are ``rank + index_from``).

    Args:
        path: the file's name in the cache, or a local JSON file or a folder holding it.

    Returns:
        dict str → int.
    """
    file = find_or_download((WORD_INDEX_NAME,), CACHE_SUBDIR, ORIGIN_FOLDER + WORD_INDEX_NAME, path=path,
                            md5=WORD_INDEX_MD5, keras_subdir="datasets")
    return read_word_index(file)


def get_label_names():
    """The 46 topic names, indexed by the labels ``load_data`` returns."""
    return LABEL_NAMES


def _read_reuters_npz(file):
    """``(flat, lengths, labels)`` of a Keras-format reuters.npz (``x`` ragged ranks, ``y`` int topics)."""
    arrays = read_npz(file, ("x", "y"), FILE_NAME)
    try:
        flat, lengths = to_ragged(arrays["x"], "x")
    except ValueError as error:
        raise malformed(file, FILE_NAME, error) from error
    labels = arrays["y"]
    if labels.shape != lengths.shape or labels.dtype.kind not in "iu":
        raise malformed(file, FILE_NAME, f"expected integer labels y ({len(lengths)},), received "
                                         f"{labels.dtype} {labels.shape}")
    return flat, lengths, labels
