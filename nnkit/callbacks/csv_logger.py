"""CSVLogger: one CSV row of logs per epoch (Keras's columns and cells)."""
import csv
import os

import numpy

from nnkit.callbacks import output_paths
from nnkit.callbacks.base import Callback
from nnkit.errors import InvalidArgumentError


class CSVLogger(Callback):
    """Write each epoch's logs to ``filename``, as Keras's ``CSVLogger``.

    Columns: ``epoch`` (0-based), then the first epoch's log keys sorted; when that epoch
    has no ``val_`` key, a ``val_<key>`` column for each key is added as well (filled "NA"
    until validation runs). A list or array value is written as ``"[a, b]"``.

    Args:
        filename: the CSV file, opened when training begins: a folder that is missing or
            not writable raises InvalidArgumentError there (as in Keras, the folder is not
            made).
        separator: the cell separator, one character other than a line break (Keras
            passes a line break on, and each cell becomes a row).
        append: add to an existing file (its header is written only when it is empty)
            instead of overwriting it.
    """

    writes_files = True

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename = output_paths.path_argument("CSVLogger", "filename", filename)
        if not isinstance(separator, str) or len(separator) != 1 or separator in "\r\n":
            raise InvalidArgumentError(f"CSVLogger: separator must be one character other "
                                       f"than a line break, received {separator!r}")
        self.sep, self.append = separator, append
        self.keys, self.csv_file, self.writer = None, None, None
        self.append_header = True

    def on_train_begin(self, logs=None):
        self.append_header = not (self.append and os.path.exists(self.filename)
                                  and os.path.getsize(self.filename) > 0)
        if self.csv_file is not None:
            self.csv_file.close()
        try:
            self.csv_file = open(self.filename, "a" if self.append else "w", newline="")
        except OSError as error:
            raise InvalidArgumentError(f"CSVLogger: cannot open filename={self.filename!r} "
                                       f"for writing: {error.strerror or error}") from None
        self.keys, self.writer = None, None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(key.startswith("val_") for key in self.keys):
                self.keys += [f"val_{key}" for key in self.keys]
        if self.writer is None:
            self.writer = csv.DictWriter(self.csv_file, ["epoch"] + self.keys,
                                         delimiter=self.sep)
            if self.append_header:
                self.writer.writeheader()
        self.writer.writerow({"epoch": epoch, **{key: _cell(logs.get(key, "NA"))
                                                 for key in self.keys}})
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None:
            self.csv_file.close()
        self.csv_file, self.writer = None, None


def _cell(value):
    """A log value as Keras writes it: a sequence as ``"[a, b]"``, anything else as it is."""
    if isinstance(value, str) or (isinstance(value, numpy.ndarray) and value.ndim == 0):
        return value
    if isinstance(value, (list, tuple, numpy.ndarray)):
        return f'"[{", ".join(map(str, value))}]"'
    return value
