"""Where dataset loaders find their files: a given path, nnkit's data folder, or a download.

nnkit's data folder is ``$NNKIT_DATA_DIR`` (default ``~/.cache/nnkit``), holding
``<data folder>/<dataset>/<file>``. The loaders of Keras's datasets (``mnist``, ``imdb``, ...)
look there first, then go through ``nnkit.utils.get_file``: into the data folder when
``$NNKIT_DATA_DIR`` is set, else into Keras's own cache (``$KERAS_HOME`` or ``~/.keras``,
``datasets/``), so files Keras already downloaded are reused. Every download is atomic and
checked against the published checksum (``nnkit.utils.downloads``).
"""
import os
from pathlib import Path

from nnkit.utils.downloads import DatasetError, atomic_write, download
from nnkit.utils.files import get_file as keras_get_file

__all__ = ["DATA_DIR_VARIABLE", "DatasetError", "atomic_write", "data_dir", "find_or_download", "get_file"]

DATA_DIR_VARIABLE = "NNKIT_DATA_DIR"
KERAS_ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def data_dir():
    """The folder that holds dataset files: ``$NNKIT_DATA_DIR``, else ``~/.cache/nnkit``.

    Returns:
        pathlib.Path (it may not exist yet).
    """
    return Path(os.environ.get(DATA_DIR_VARIABLE) or Path.home() / ".cache" / "nnkit").expanduser()


def find_or_download(names, cache_subdir, url, path=None, sha256=None, md5=None, keras_subdir=None):
    """Path of a dataset file: from ``path``, else from the data folder, else downloaded.

    Args:
        names: accepted file names, the canonical (downloaded) name first.
        cache_subdir: the dataset's folder inside the data folder, e.g. ``"imdb"``.
        url: where the canonical file is downloaded from.
        path: None; a bare file name (Keras's ``path="mnist.npz"``: the name in the cache); or a
            file with a folder (used as is) or a folder holding one of ``names`` directly or in
            ``cache_subdir/``.
        sha256, md5: published checksums of the download (hex strings).
        keras_subdir: for a Keras dataset, its folder in Keras's cache (``"datasets"``): without
            ``$NNKIT_DATA_DIR`` the file is downloaded there with ``nnkit.utils.get_file``.

    Returns:
        pathlib.Path of an existing file.

    Example:
        >>> find_or_download(("imdb.npz",), "imdb", IMDB_URL, sha256=IMDB_SHA256)  # doctest: +SKIP
    """
    if path is not None and not _is_bare_name(path):
        return _find_at(Path(path).expanduser(), names, cache_subdir)
    names = (path,) if path is not None else tuple(names)
    for name in names:
        candidate = data_dir() / cache_subdir / name
        if candidate.is_file():
            return candidate
    if keras_subdir is None or os.environ.get(DATA_DIR_VARIABLE):
        return get_file(names[0], url, sha256=sha256, md5=md5, cache_subdir=cache_subdir)
    return Path(keras_get_file(names[0], url, file_hash=sha256 or md5, cache_subdir=keras_subdir))


def _is_bare_name(path):
    return isinstance(path, str) and os.sep not in path and not (os.altsep and os.altsep in path)


def _find_at(path, names, cache_subdir):
    if path.is_file():
        return path
    if path.is_dir():
        for name in names:
            for candidate in (path / name, path / cache_subdir / name):
                if candidate.is_file():
                    return candidate
        raise DatasetError(f"path={str(path)!r} is a folder without any of {list(names)} "
                           f"(looked in it and in its {cache_subdir}/ subfolder)")
    raise DatasetError(f"path={str(path)!r} does not exist: expected a file or a folder holding "
                       f"one of {list(names)}")


def get_file(fname, url, sha256=None, md5=None, cache_subdir="datasets"):
    """Return ``<data folder>/<cache_subdir>/<fname>``, downloading and verifying it if absent.

    A file already at that place is returned without re-hashing: it was either verified
    when downloaded or put there by the user (loaders check the structure of what they read).
    (Keras's ``get_file``, with its own cache rules, is ``nnkit.utils.get_file``.)

    Args:
        fname: file name inside the cache folder.
        url: address of the file (``https://``, ``file://``).
        sha256, md5: expected hex digests; each one given is checked.
        cache_subdir: folder inside the data folder.

    Returns:
        pathlib.Path of the verified file.

    Raises:
        DatasetError: the download failed (naming the URL and the offline alternatives),
            or a checksum did not match (nothing is left in the cache).

    Example:
        >>> get_file("imdb.npz", "https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb.npz",
        ...          sha256="6966...", cache_subdir="imdb")  # doctest: +SKIP
    """
    target = data_dir() / cache_subdir / fname
    if target.is_file():
        return target
    return download(url, target, {"sha256": sha256, "md5": md5},
                    offline_hint=f"To work offline, set {DATA_DIR_VARIABLE} to a folder holding "
                                 f"{cache_subdir}/{fname}, or pass path= (a local copy of the file) to the loader")
