"""``text_dataset_from_directory``: a folder of ``.txt`` files, one subfolder per class, as a
``Sequence`` of ``(texts, labels)`` batches (Keras 3's ``keras.utils`` function, without
TensorFlow).

Keras's rules, kept so that the same folder and seed give the same files in the same split:

- classes: the subfolders of ``directory`` not starting with ".", sorted by name (or
  ``class_names``, in its order); files right in ``directory`` are not read then;
- files: those ending in ``.txt`` (any case), walked per class folder, folders by path,
  files by name; with ``labels=None`` or a list of labels, the whole tree from ``directory``;
- order: with ``shuffle`` all files are shuffled once by ``numpy.random.RandomState(seed)``
  (``seed`` drawn from nnkit's generator when None); ``validation_split`` then keeps the
  last ``int(validation_split * files)`` for ``"validation"`` and the rest for ``"training"``.

Differences, deliberate: Keras reshuffles within a buffer of ``8 * batch_size`` every epoch;
here a shuffled dataset is permuted as a whole every epoch (``on_epoch_end``), from ``seed``.
``max_length`` cuts the UTF-8 bytes as Keras does, then drops a character cut in half.
A file that is not UTF-8 is refused (named); Keras passes its bytes on.
"""
import os

import numpy

from nnkit import random
from nnkit.errors import DTypeError, InvalidArgumentError
from nnkit.utils.dataset_split import check_split_arguments, split_part
from nnkit.utils.sequence import Sequence

LABEL_MODES = ("int", "categorical", "binary", None)
_WHERE = "text_dataset_from_directory"


def read_text(path, max_length=None):
    """The UTF-8 text of the file at ``path``, cut to ``max_length`` bytes.

    Raises:
        DTypeError: the file is not valid UTF-8 (its path and the bad byte's offset named).
    """
    with open(path, "rb") as file:
        raw = file.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DTypeError(f"{_WHERE}: file {path!r} is not valid UTF-8 (byte {error.start}: "
                         f"{error.reason})") from None
    if max_length is None or max_length >= len(raw):
        return text
    return raw[:max_length].decode("utf-8", errors="ignore")   # only a cut character is lost


def _text_files(folder, follow_links):
    """``.txt`` files under ``folder``: folders in path order, files by name."""
    walk = sorted(os.walk(folder, followlinks=follow_links), key=lambda entry: entry[0])
    return [os.path.join(root, name) for root, _, names in walk for name in sorted(names)
            if name.lower().endswith(".txt")]


def _class_folders(directory, class_names):
    found = sorted(name for name in os.listdir(directory)
                   if os.path.isdir(os.path.join(directory, name)) and not name.startswith("."))
    if class_names is None:
        if not found:
            loose = len(_text_files(directory, False))
            raise InvalidArgumentError(
                f"{_WHERE}: directory {directory!r} has no class subfolders (labels='inferred' "
                f"reads one subfolder of .txt files per class); it holds {loose} .txt files "
                f"outside subfolders: pass labels=None to read them without labels")
        return found
    missing = [name for name in class_names if name not in found]
    if missing:
        raise InvalidArgumentError(f"{_WHERE}: class_names {missing} are not subfolders of "
                                   f"{directory!r}; it has {found}")
    return list(class_names)


def index_directory(directory, labels, class_names, follow_links):
    """``(paths, labels or None, class names or None)`` in Keras's unshuffled order."""
    if not os.path.isdir(directory):
        raise InvalidArgumentError(f"{_WHERE}: directory {str(directory)!r} is not a folder")
    if labels != "inferred":
        paths = _text_files(directory, follow_links)
        if labels is None:
            return paths, None, None
        if len(labels) != len(paths):
            raise InvalidArgumentError(f"{_WHERE}: {len(labels)} labels given for "
                                       f"{len(paths)} .txt files in {directory!r}")
        return paths, numpy.asarray(labels), [str(label) for label in sorted(set(labels))]
    names = _class_folders(directory, class_names)
    paths, indices = [], []
    for index, name in enumerate(names):
        found = _text_files(os.path.join(directory, name), follow_links)
        paths += found
        indices += [index] * len(found)
    return paths, numpy.asarray(indices, dtype="int32"), names


def encode_labels(labels, label_mode, classes):
    """Labels as Keras gives them: int32 ``(N,)``, float32 ``(N, 1)`` (binary) or float32
    one-hot ``(N, C)`` (categorical)."""
    if label_mode == "binary":
        return labels.astype("float32").reshape(-1, 1)
    if label_mode == "categorical":
        return numpy.eye(classes, dtype="float32")[labels]
    return labels.astype("int32")


class TextFiles(Sequence):
    """Batches of texts read from ``paths`` when asked, with their labels.

    Shapes:
        ``__getitem__(i)``: texts ``(B,)`` object array of ``str``, and labels ``(B,)`` int32,
        ``(B, 1)`` or ``(B, C)`` float32 (texts alone when there are no labels). With
        ``batch_size=None`` one text (a ``str``) and its label.

    Attributes:
        class_names: the class of each label index (None without labels).
        file_paths: the files, in the dataset's current order.
    """

    def __init__(self, paths, labels, label_mode, class_names, batch_size, max_length,
                 shuffle, seed):
        super().__init__()
        self.file_paths, self.labels = list(paths), labels
        self.label_mode, self.class_names = label_mode, class_names
        self.batch_size, self.max_length = batch_size, max_length
        self._shuffler = numpy.random.default_rng(seed) if shuffle else None
        self._order = numpy.arange(len(self.file_paths))

    def __len__(self):
        size = self.batch_size or 1
        return (len(self.file_paths) + size - 1) // size

    def __getitem__(self, index):
        if not -len(self) <= index < len(self):
            raise IndexError(f"{_WHERE}: batch {index} of {len(self)}")
        index %= len(self)
        size = self.batch_size or 1
        chosen = self._order[index * size:(index + 1) * size]
        texts = numpy.empty(len(chosen), dtype=object)
        texts[:] = [read_text(self.file_paths[i], self.max_length) for i in chosen]
        labels = None if self.label_mode is None else encode_labels(
            self.labels[chosen], self.label_mode, len(self.class_names))
        if self.batch_size is None:
            texts, labels = texts[0], None if labels is None else labels[0]
        return texts if labels is None else (texts, labels)

    def on_epoch_end(self):
        if self._shuffler is not None:
            self._order = self._shuffler.permutation(len(self.file_paths))


def text_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                class_names=None, batch_size=32, max_length=None, shuffle=True,
                                seed=None, validation_split=None, subset=None,
                                follow_links=False, verbose=True):
    """A ``Sequence`` of ``(texts, labels)`` batches from ``directory`` (see the module).

    Args (Keras 3's): labels ("inferred", None, or one integer per file in the walk order),
    label_mode ("int", "categorical", "binary", None), class_names, batch_size (None: single
    examples), max_length (bytes), shuffle, seed, validation_split, subset ("training",
    "validation", "both": a tuple of both), follow_links, verbose.

    Returns:
        ``TextFiles`` (with ``class_names``), or ``(training, validation)`` for "both".

    Raises:
        InvalidArgumentError: a bad argument, no class subfolders, no files; DTypeError when
            a batch holds a file that is not UTF-8.

    Example:
        >>> train, val = text_dataset_from_directory("aclImdb/train", batch_size=32,
        ...     validation_split=0.2, subset="both", seed=1337)
    """
    if labels not in ("inferred", None) and not isinstance(labels, (list, tuple, numpy.ndarray)):
        raise InvalidArgumentError(f"{_WHERE}: labels must be 'inferred', None or a list of "
                                   f"integer labels (one per .txt file), received {labels!r}")
    if class_names is not None and labels != "inferred":
        raise InvalidArgumentError(f"{_WHERE}: class_names is only read with "
                                   f"labels='inferred', received labels={labels!r}")
    if label_mode not in LABEL_MODES:
        raise InvalidArgumentError(f"{_WHERE}: label_mode must be one of {LABEL_MODES}, "
                                   f"received {label_mode!r}")
    for name, value in (("batch_size", batch_size), ("max_length", max_length)):
        if value is not None and (isinstance(value, bool) or not isinstance(
                value, (int, numpy.integer)) or value < 1):
            raise InvalidArgumentError(f"{_WHERE}: {name} must be a positive integer or None, "
                                       f"received {value!r}")
    check_split_arguments(_WHERE, validation_split, subset, shuffle, seed)
    if labels is None or label_mode is None:
        labels = label_mode = None
    if seed is None:
        seed = int(random.generator().integers(1_000_000))
    paths, indices, names = index_directory(directory, labels, class_names, follow_links)
    if verbose:
        what = "" if indices is None else f" belonging to {len(names)} classes"
        print(f"Found {len(paths)} files{what}.")
    if label_mode == "binary" and len(names) != 2:
        raise InvalidArgumentError(f"{_WHERE}: label_mode='binary' needs exactly 2 classes, "
                                   f"found {names}")
    if shuffle:
        order = numpy.arange(len(paths))
        numpy.random.RandomState(seed).shuffle(order)   # Keras's global shuffle, same seed
        paths = [paths[i] for i in order]
        indices = None if indices is None else indices[order]

    def part(which, shuffled):
        chosen = split_part(_WHERE, len(paths), validation_split, which, verbose)
        if not len(chosen):
            raise InvalidArgumentError(f"{_WHERE}: no .txt files found in {directory!r}"
                                       + (f" for subset {which!r}" if which else ""))
        return TextFiles([paths[i] for i in chosen], None if indices is None else
                         indices[chosen], label_mode, names, batch_size, max_length,
                         shuffled, seed)

    if subset == "both":
        return part("training", shuffle), part("validation", False)
    return part(subset, shuffle)
