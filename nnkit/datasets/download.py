"""Find dataset files on disk, or download them into the nnkit cache with checksum checks.

Files live under the data folder, ``$NNKIT_DATA_DIR`` (default ``~/.cache/nnkit``), as
``<data folder>/<dataset>/<file>``. A download goes to a temporary file beside its target,
is hashed while it streams, is flushed to disk, and only then is renamed into place, so
the cache never holds a partial or unverified file.
"""
import contextlib
import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from nnkit.errors import NnkitError

DATA_DIR_VARIABLE = "NNKIT_DATA_DIR"
DOWNLOAD_TIMEOUT_S = 60
CHUNK_BYTES = 1 << 20


class DatasetError(NnkitError, OSError):
    """A dataset file is missing, cannot be downloaded, fails its checksum or is malformed."""


def data_dir():
    """The folder that holds dataset files: ``$NNKIT_DATA_DIR``, else ``~/.cache/nnkit``.

    Returns:
        pathlib.Path (it may not exist yet).
    """
    return Path(os.environ.get(DATA_DIR_VARIABLE) or Path.home() / ".cache" / "nnkit").expanduser()


def find_or_download(names, cache_subdir, url, path=None, sha256=None, md5=None):
    """Path of a dataset file: from ``path``, else from the data folder, else downloaded.

    Args:
        names: accepted file names, the canonical (downloaded) name first.
        cache_subdir: the dataset's folder inside the data folder, e.g. ``"imdb"``.
        url: where the canonical file is downloaded from.
        path: None, a file (used as is), or a folder holding one of ``names`` directly
            or in ``cache_subdir/``.
        sha256, md5: published checksums of the download (hex strings).

    Returns:
        pathlib.Path of an existing file.

    Example:
        >>> find_or_download(("imdb.npz",), "imdb", IMDB_URL, sha256=IMDB_SHA256)  # doctest: +SKIP
    """
    if path is not None:
        return _find_at(Path(path).expanduser(), names, cache_subdir)
    for name in names:
        candidate = data_dir() / cache_subdir / name
        if candidate.is_file():
            return candidate
    return get_file(names[0], url, sha256=sha256, md5=md5, cache_subdir=cache_subdir)


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

    Args:
        fname: file name inside the cache folder.
        url: http(s) address of the file.
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
    expected = {name: digest.lower() for name, digest in (("sha256", sha256), ("md5", md5)) if digest}
    hashers = {name: hashlib.new(name) for name in expected}
    with atomic_write(target) as stream:
        _copy_url(url, stream, hashers, target)
        for name, digest in expected.items():
            received = hashers[name].hexdigest()
            if received != digest:
                raise DatasetError(f"checksum mismatch for {url}: expected {name} {digest}, "
                                   f"received {received}; the download was discarded")
    return target


def _copy_url(url, stream, hashers, target):
    from tqdm import tqdm

    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            with tqdm(total=total, unit="B", unit_scale=True, desc=target.name, disable=None) as bar:
                while chunk := response.read(CHUNK_BYTES):
                    stream.write(chunk)
                    for hasher in hashers.values():
                        hasher.update(chunk)
                    bar.update(len(chunk))
    except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError) as error:
        raise DatasetError(
            f"could not download {url} ({getattr(error, 'reason', error)}). To work offline, set "
            f"{DATA_DIR_VARIABLE} to a folder holding {target.parent.name}/{target.name}, "
            f"or pass path= (a local copy of the file) to the loader") from error


@contextlib.contextmanager
def atomic_write(target):
    """Open a temporary file beside ``target``; it replaces ``target`` only if the block succeeds.

    The data is flushed and fsynced before the rename; on any error the temporary file is deleted.

    Args:
        target: final path (its folder is created if needed).

    Returns:
        A context manager yielding a binary file object.

    Example:
        >>> with atomic_write(data_dir() / "demo" / "x.bin") as stream:  # doctest: +SKIP
        ...     stream.write(b"payload")
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
