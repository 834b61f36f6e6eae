"""IMDB movie reviews (Maas et al., 2011): Keras-compatible word-id sequences and raw texts.

``load_data`` reproduces ``keras.datasets.imdb.load_data`` exactly (same order, ids and
filtering), but reads the ragged ``imdb.npz`` without running arbitrary pickle code: its
object arrays are rebuilt by an unpickler that only accepts NumPy arrays of builtin values.
See ``datasets/imdb.md`` for the source, licence and checksums.
"""
import itertools
import os
import re
import string
import tarfile

import numpy as np

from nnkit.datasets.download import KERAS_ORIGIN_FOLDER, DatasetError, find_or_download
from nnkit.datasets.npz import malformed, read_npz
from nnkit.datasets.word_sequences import (check_encoding, check_int, encode, limit_vocabulary, read_word_index,
                                           take_rows, to_object_array, to_ragged)
from nnkit.errors import InvalidArgumentError

CACHE_SUBDIR = "imdb"
NPZ_URL = KERAS_ORIGIN_FOLDER + "imdb.npz"
NPZ_SHA256 = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_URL = KERAS_ORIGIN_FOLDER + "imdb_word_index.json"
WORD_INDEX_MD5 = "bfafd718b763782e994055a2d397834f"
TEXTS_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
TEXTS_SHA256 = "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"
TEXT_ARCHIVE_NAMES = ("aclImdb_v1.tar.gz", "aclImdb_v1_labeled.tar.gz")
_REVIEW_MEMBER = re.compile(r"aclImdb/(train|test)/(pos|neg)/\d+_\d+\.txt")
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1,
              oov_char=2, index_from=3, ratings=False, texts_path=None):
    """Load IMDB as word-id sequences, exactly as ``keras.datasets.imdb.load_data`` does.

    Keras's procedure: shuffle train with ``np.random.RandomState(seed)``, then test with the
    same generator; prepend ``start_char``; add ``index_from`` to every word rank; keep only
    sequences with ``len < maxlen`` (start id included); map ids ``>= num_words`` or
    ``< skip_top`` to ``oov_char`` (or drop them when ``oov_char`` is None). As in Keras,
    ``num_words=None`` means "the largest id present", so that one id also becomes ``oov_char``.

    Args:
        path: the name of the file in the cache (Keras's meaning, default ``"imdb.npz"``): it is
            read from ``$NNKIT_DATA_DIR/imdb/``, else downloaded from Keras's origin with Keras's
            sha256 (into ``$NNKIT_DATA_DIR/imdb/`` when set, else Keras's ``~/.keras/datasets/``);
            or a local ``imdb.npz`` file, or a folder holding it (a path with a folder part).
        num_words: keep ids below this (positive int or None).
        skip_top: ids below this become ``oov_char`` (note: this includes ``start_char``).
        maxlen: drop sequences whose length is not below this (positive int or None).
        seed: shuffling seed.
        start_char, oov_char: special ids (None: no start id / drop out-of-range words).
        index_from: offset added to every word rank.
        ratings: also return each review's rating (1-4 negative, 7-10 positive), read
            from the file names of the aclImdb archive (see ``load_ratings``).
        texts_path: the aclImdb archive or its folder, for ``ratings`` (default: the
            folder of ``path``, then ``$NNKIT_DATA_DIR/imdb``).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: x are object arrays ``(N,)`` of lists of int,
        y are int64 arrays ``(N,)`` with 1 = positive. N = 25000 per split without maxlen.
        With ``ratings``: ``(x_train, y_train, r_train), (x_test, y_test, r_test)``, r int64
        ``(N,)`` in the same order.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data(num_words=10000)
        >>> x_train[0][:4]
        [1, 14, 22, 16]
    """
    check_encoding("imdb.load_data", num_words, skip_top, start_char, oov_char, index_from)
    check_int("imdb.load_data", "maxlen", maxlen, minimum=1, optional=True)
    check_int("imdb.load_data", "seed", seed, minimum=0)
    file = find_or_download(("imdb.npz",), CACHE_SUBDIR, NPZ_URL, path=path, sha256=NPZ_SHA256,
                            keras_subdir="datasets")
    arrays = _read_imdb_npz(file)
    generator = np.random.RandomState(seed)
    splits = []
    for x_key, y_key in (("x_train", "y_train"), ("x_test", "y_test")):
        flat, lengths = arrays[x_key]
        order = np.arange(len(lengths))
        generator.shuffle(order)
        flat, lengths = encode(*take_rows(flat, lengths, order), start_char, index_from)
        extra = [arrays[y_key][order]]
        if ratings:
            stored = load_ratings(texts_path or os.path.dirname(file), x_key[2:])
            if len(stored) != len(order) or not np.array_equal(stored >= 7, arrays[y_key] == 1):
                raise DatasetError(f"imdb.load_data: the ratings of the archive do not match "
                                   f"{file}'s {y_key} (another version of the data?)")
            extra.append(stored[order])
        if maxlen is not None:
            short = lengths < maxlen
            if not short.any():
                raise InvalidArgumentError(f"imdb.load_data: maxlen={maxlen} removes every {x_key} "
                                           f"sequence (kept are those shorter than maxlen); increase it")
            (flat, lengths) = take_rows(flat, lengths, np.flatnonzero(short))
            extra = [values[short] for values in extra]
        splits.append((flat, lengths, extra))
    if num_words is None:
        num_words = max(int(flat.max(initial=0)) for flat, _, _ in splits)
    return tuple((to_object_array(*limit_vocabulary(flat, lengths, num_words, skip_top, oov_char)),
                  *extra) for flat, lengths, extra in splits)


def load_ratings(path=None, split="train"):
    """Each review's rating out of 10, in the stored order of ``imdb.npz`` and ``load_texts``.

    The rating is the number in the archive's file names ``aclImdb/<split>/<pos|neg>/<id>_<rating>.txt``
    (only the names are read). Positive reviews (7-10) come first, by file name, then negative (1-4).

    Args:
        path: the aclImdb archive, its folder, or None (as ``load_texts``).
        split: ``"train"`` or ``"test"``.

    Returns:
        int64 array ``(N,)``, N = 25000.
    """
    if split not in ("train", "test"):
        raise InvalidArgumentError(f"imdb.load_ratings: split must be 'train' or 'test', received {split!r}")
    reviews = _scan_reviews(path, split, read_text=False)
    names = sorted(name for name, _ in reviews["pos"]) + sorted(name for name, _ in reviews["neg"])
    return np.array([int(name[:-4].split("_")[1]) for name in names], dtype=np.int64)


def _scan_reviews(path, split, read_text):
    """``{"pos": [(file name, text or None)], "neg": [...]}`` of one split, streamed from the archive."""
    file = find_or_download(TEXT_ARCHIVE_NAMES, CACHE_SUBDIR, TEXTS_URL, path=path, sha256=TEXTS_SHA256)
    reviews = {"pos": [], "neg": []}
    try:
        with tarfile.open(file, "r:gz") as archive:
            for member in archive:
                match = _REVIEW_MEMBER.fullmatch(member.name)
                if match and match[1] == split and member.isfile():
                    text = (archive.extractfile(member).read().decode("utf-8") if read_text
                            else None)
                    reviews[match[2]].append((member.name.rsplit("/", 1)[1], text))
    except (tarfile.TarError, EOFError, UnicodeDecodeError) as error:
        raise DatasetError(f"{file} is not a readable aclImdb archive: {error}") from error
    if not reviews["pos"] or not reviews["neg"]:
        raise DatasetError(f"{file} holds no aclImdb/{split}/{{pos,neg}}/<id>_<rating>.txt reviews")
    return reviews


def get_word_index(path="imdb_word_index.json"):
    """The Keras IMDB word index: word → frequency rank (1 = most frequent in train).

    Args:
        path: the file's name in the cache (default ``"imdb_word_index.json"``, found and
            downloaded as ``load_data``'s), or a local JSON file or a folder holding it.

    Returns:
        dict str → int with 88,584 entries. Ids in ``load_data`` are ``rank + index_from``.

    Example:
        >>> get_word_index()["the"]
        1
    """
    file = find_or_download(("imdb_word_index.json",), CACHE_SUBDIR, WORD_INDEX_URL, path=path,
                            md5=WORD_INDEX_MD5, keras_subdir="datasets")
    return read_word_index(file)


def texts_to_sequences(texts, path=None, num_words=None, skip_top=0, start_char=1, oov_char=2,
                       index_from=3):
    """Turn raw review texts into ids exactly as ``load_data`` encodes the reviews.

    Tokenisation is the one behind the Keras word index: ASCII letters lower-cased, the Keras
    ``Tokenizer`` filter characters replaced by spaces, split on spaces. Words missing from the
    word index are dropped (as they were when the dataset was built); the rest go through the
    same ``start_char`` / ``index_from`` / ``num_words`` / ``skip_top`` / ``oov_char`` rules.
    Pass the ``num_words`` you gave ``load_data`` (None here means no upper limit).

    Args:
        texts: iterable of str.
        path: where the word index is (see ``get_word_index``).
        num_words, skip_top, start_char, oov_char, index_from: as in ``load_data``.

    Returns:
        list of lists of int, one per text.

    Example:
        >>> texts_to_sequences(["This film was just brilliant"], num_words=10000)
        [[1, 14, 22, 16, 43, 530]]
    """
    from nnkit.preprocessing.text import text_to_word_sequence

    if isinstance(texts, str):
        raise InvalidArgumentError("imdb.texts_to_sequences: texts must be a list of str, received one str")
    check_encoding("imdb.texts_to_sequences", num_words, skip_top, start_char, oov_char, index_from)
    word_index = get_word_index(path)
    ranks = [[word_index[word] for word in text_to_word_sequence(text.translate(_ASCII_LOWER), lower=False)
              if word in word_index] for text in texts]
    lengths = np.array([len(sequence) for sequence in ranks], dtype=np.int64)
    flat = np.fromiter(itertools.chain.from_iterable(ranks), np.int64, count=int(lengths.sum()))
    flat, lengths = encode(flat, lengths, start_char, index_from)
    return to_object_array(*limit_vocabulary(flat, lengths, num_words, skip_top, oov_char)).tolist()


def load_texts(path=None, split="train"):
    """Raw review texts and labels, streamed from the aclImdb tar.gz without unpacking it.

    Order: positive reviews by file name (``0_9.txt``, ``10000_8.txt``, ...), then negative ones,
    which is the stored order of ``imdb.npz`` (``load_data`` shuffles it with ``seed``).

    Args:
        path: None (``$NNKIT_DATA_DIR/imdb/aclImdb_v1.tar.gz`` or ``aclImdb_v1_labeled.tar.gz``,
            else download ``aclImdb_v1.tar.gz``), the archive, or a folder holding it.
        split: ``"train"`` or ``"test"``.

    Returns:
        ``(texts, labels)``: list of N str (HTML ``<br />`` kept) and int64 array ``(N,)``,
        1 = positive. N = 25000.

    Example:
        >>> texts, labels = load_texts(split="test")
    """
    if split not in ("train", "test"):
        raise InvalidArgumentError(f"imdb.load_texts: split must be 'train' or 'test', received {split!r}")
    reviews = _scan_reviews(path, split, read_text=True)
    positive, negative = sorted(reviews["pos"]), sorted(reviews["neg"])
    texts = [text for _, text in positive + negative]
    labels = np.array([1] * len(positive) + [0] * len(negative), dtype=np.int64)
    return texts, labels


def _read_imdb_npz(file):
    """Read and check a Keras-format imdb.npz: ``{"x_*": (flat, lengths), "y_*": int64 labels}``."""
    stored = read_npz(file, ("x_train", "y_train", "x_test", "y_test"), "imdb.npz")
    arrays = {}
    try:
        for split in ("train", "test"):
            flat, lengths = to_ragged(stored[f"x_{split}"], f"x_{split}")
            labels = stored[f"y_{split}"]
            if labels.shape != lengths.shape:
                raise ValueError(f"x_{split} and y_{split} must be 1-D arrays of the same length")
            if labels.dtype.kind not in "iu" or not np.isin(labels, (0, 1)).all():
                raise ValueError(f"y_{split} must hold integer labels 0 and 1")
            arrays[f"x_{split}"], arrays[f"y_{split}"] = (flat, lengths), labels.astype(np.int64)
    except (ValueError, TypeError) as error:
        raise malformed(file, "imdb.npz", error) from error
    return arrays
