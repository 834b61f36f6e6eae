"""Reading Keras's ``.npz`` dataset files without running arbitrary pickle code.

Keras stores ragged word-id sequences (imdb, reuters) as object arrays, which ``numpy.load``
can only read by unpickling. Here object arrays are rebuilt by an unpickler that accepts NumPy
arrays of builtin values and refuses every other global, so a hostile file cannot run code.
"""
import pickle
import zipfile

import numpy as np

from nnkit.utils.downloads import DatasetError


class _ArrayOnlyUnpickler(pickle.Unpickler):
    """Unpickler that can rebuild NumPy arrays of builtin values and refuses any other global."""

    _reconstruct = np.empty(0, dtype=object).__reduce__()[0]
    _allowed = {("numpy.core.multiarray", "_reconstruct"): _reconstruct,
                ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
                ("numpy", "ndarray"): np.ndarray, ("numpy", "dtype"): np.dtype}

    def find_class(self, module, name):
        if (module, name) not in self._allowed:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a dataset file")
        return self._allowed[(module, name)]


def read_npz(file, keys, what):
    """``{key: array}`` for ``keys`` of a Keras-format npz; object arrays go through the safe unpickler.

    Args:
        file: the ``.npz`` path.
        keys: the arrays to read (``"x_train"`` ...).
        what: the file's kind for error messages (``"mnist.npz"``).

    Raises:
        DatasetError: the file is not a zip of ``.npy`` members, lacks a key, or holds a pickled
            object other than arrays of builtin values (names the file).
    """
    try:
        with zipfile.ZipFile(file) as archive:
            return {key: _read_member(archive, key) for key in keys}
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, TypeError, pickle.UnpicklingError, EOFError) as error:
        raise malformed(file, what, error) from error


def malformed(file, what, error):
    """The DatasetError saying that ``file`` is not a valid ``what`` (and why)."""
    return DatasetError(f"{file} is not a valid Keras-format {what}: {error}")


def _read_member(archive, key):
    """One ``.npy`` member of an open npz; object arrays go through ``_ArrayOnlyUnpickler``."""
    header_readers = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
    with archive.open(f"{key}.npy") as stream:
        version = np.lib.format.read_magic(stream)
        if version not in header_readers:
            raise ValueError(f"unsupported .npy format version {version}")
        _, _, dtype = header_readers[version](stream)
        if dtype.hasobject:
            return np.asarray(_ArrayOnlyUnpickler(stream, encoding="ASCII").load())
    with archive.open(f"{key}.npy") as stream:
        return np.lib.format.read_array(stream, allow_pickle=False)
