"""``get_file``: Keras's download cache (``~/.keras/datasets``), same places and checks as Keras 3.

Files land where Keras puts them (``$KERAS_HOME``, else ``~/.keras``, else ``/tmp/.keras`` when
that is not writable), so a file Keras already downloaded is reused as it is.
"""
import os
import tempfile
import urllib.parse
import warnings

from nnkit.errors import InvalidArgumentError
from nnkit.utils.archives import extract_archive
from nnkit.utils.downloads import download, hash_algorithm_for, hash_file


def keras_home():
    """Keras's folder: ``$KERAS_HOME`` if set, else ``~/.keras`` (``/tmp/.keras`` when the home
    folder is not writable), read at call time."""
    if "KERAS_HOME" in os.environ:
        return os.environ["KERAS_HOME"]
    home = os.path.expanduser("~")
    return os.path.join(home if os.access(home, os.W_OK) else "/tmp", ".keras")


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None, cache_subdir="datasets",
             hash_algorithm="auto", extract=False, archive_format="auto", cache_dir=None,
             force_download=False):
    """Download a file into the cache unless it is there already (Keras's ``keras.utils.get_file``).

    The file goes to ``<cache_dir>/<cache_subdir>/<fname>``. A cached file is checked against
    ``file_hash`` when one is given and downloaded again if it differs. Downloads are atomic: a
    temporary file is hashed, then renamed into place, so the cache never holds a partial file.

    With ``extract`` (or ``untar``) the archive is saved as ``<fname>`` when ``fname`` has a dot
    (and extracted into ``<fname up to its first dot>_extracted``), else as ``<fname>_archive``
    (extracted into ``<fname>``); it is extracted on every call, skipping members that would
    leave the folder.

    Args:
        fname: the file name in the cache (no folder); None takes the last part of ``origin``.
        origin: the URL (``https://``, ``file://``, ...).
        untar: deprecated, ``extract`` of a tar archive.
        md5_hash: deprecated, an md5 ``file_hash``.
        file_hash: the expected sha256 (64 hex digits) or md5 (32) of the file.
        cache_subdir: folder under ``cache_dir`` (an absolute path is used as it is).
        hash_algorithm: ``"auto"`` (by the hash's length), ``"sha256"`` or ``"md5"``.
        extract: extract the archive and return its folder.
        archive_format: ``"auto"``, ``"tar"``, ``"zip"``, a list of them, or None.
        cache_dir: the cache folder (default ``keras_home()``); ``/tmp/.keras`` if not writable.
        force_download: download even when the file is cached.

    Returns:
        str: the file's path, or the extraction folder with ``extract``/``untar``.

    Raises:
        InvalidArgumentError: no ``origin``, no file name, or a ``fname`` with a folder in it.
        DatasetError: the download failed (naming the origin and where to put the file offline).
        ChecksumError: the downloaded file's hash is not ``file_hash`` (names both; also a ValueError).

    Example:
        >>> path = get_file(origin="https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
        ...                 file_hash="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1")
        ...  # doctest: +SKIP
    """
    if origin is None:
        raise InvalidArgumentError('get_file: please specify the "origin" argument (URL of the file '
                                   'to download)')
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    algorithm = hash_algorithm_for(file_hash, hash_algorithm)
    folder = os.path.join(_writable_cache_dir(cache_dir), cache_subdir)
    os.makedirs(folder, exist_ok=True)
    name = _file_name(fname, origin)
    extracting = extract or untar
    download_target, extraction_dir = (_targets(folder, name, fname_given=bool(fname)) if extracting
                                       else (os.path.join(folder, name), None))
    if force_download or not os.path.exists(download_target):
        needed = True
    else:
        needed = file_hash is not None and hash_file(download_target, algorithm) != str(file_hash).lower()
        if needed:
            print(f"A local file was found, but it seems to be incomplete or outdated because the "
                  f"{algorithm} file hash does not match the original value of {file_hash} so we "
                  f"will re-download the data.")
    if needed:
        print(f"Downloading data from {origin}")
        download(origin, download_target, {algorithm: file_hash},
                 offline_hint=f"To work offline, put the file at {download_target}.")
    if not extracting:
        return download_target
    if not extract_archive(download_target, extraction_dir, "tar" if untar else archive_format):
        warnings.warn(f"get_file: could not extract {download_target}: it is not a "
                      f"{'tar' if untar else archive_format!r} archive", stacklevel=2)
    return extraction_dir


def _writable_cache_dir(cache_dir):
    """``cache_dir`` (default Keras's home) made if needed, or ``/tmp/.keras`` if it is not writable."""
    base = os.path.expanduser(os.fspath(keras_home() if cache_dir is None else cache_dir))
    try:
        os.makedirs(base, exist_ok=True)
    except OSError:
        pass
    if os.access(base, os.W_OK):
        return base
    return os.path.join("/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir(), ".keras")


def _file_name(fname, origin):
    """The cache file name: ``fname``, else the last part of the origin's path."""
    if fname:
        name = os.fspath(fname)
        if os.sep in name or (os.altsep and os.altsep in name):
            raise InvalidArgumentError(f"get_file: fname must be a file name, not a path (give the "
                                       f"folder as cache_dir), received fname={name!r}")
        return name
    name = os.path.basename(urllib.parse.urlsplit(origin).path)
    if not name:
        raise InvalidArgumentError(f"get_file: cannot take a file name from origin={origin!r}; "
                                   f"give fname")
    return name


def _targets(folder, name, fname_given):
    """``(archive path, extraction folder)`` of an archive to extract, by Keras's naming rules."""
    if fname_given and "." in name:
        return os.path.join(folder, name), os.path.join(folder, f"{name[:name.find('.')]}_extracted")
    return os.path.join(folder, f"{name}_archive"), os.path.join(folder, name)
