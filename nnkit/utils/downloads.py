"""Downloading one file safely: streamed, hashed while it streams, renamed into place only if it verifies.

A download goes to a temporary file beside its target, is hashed chunk by chunk, flushed and
fsynced, and only then renamed over the target, so a cache never holds a partial or unverified
file. ``http(s)://``, ``ftp://`` and ``file://`` origins work (``file://`` is what offline tests
use). ``nnkit.utils.get_file`` (Keras's cache rules) and ``nnkit.datasets.download`` (nnkit's
data folder) are two front ends over ``download``.
"""
import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

from nnkit.errors import InvalidArgumentError, NnkitError

DOWNLOAD_TIMEOUT_S = 60
CHUNK_BYTES = 1 << 20
HASH_ALGORITHMS = ("auto", "sha256", "md5")


class DatasetError(NnkitError, OSError):
    """A data file is missing, cannot be downloaded, fails its checksum or is malformed."""


class ChecksumError(DatasetError, ValueError):
    """A file's hash differs from the expected one (a ValueError too, as Keras raises)."""


def hash_algorithm_for(file_hash, hash_algorithm="auto"):
    """Keras's choice of hash: ``"auto"`` is sha256 for a 64-character hash, else md5.

    Args:
        file_hash: the expected hex digest (or None).
        hash_algorithm: ``"auto"``, ``"sha256"`` or ``"md5"``.

    Returns:
        ``"sha256"`` or ``"md5"``.

    Example:
        >>> hash_algorithm_for("d41d8cd98f00b204e9800998ecf8427e")
        'md5'
    """
    if hash_algorithm not in HASH_ALGORITHMS:
        raise InvalidArgumentError(f"get_file: hash_algorithm must be one of {list(HASH_ALGORITHMS)}, "
                                   f"received {hash_algorithm!r}")
    if hash_algorithm == "auto":
        return "sha256" if file_hash is not None and len(str(file_hash)) == 64 else "md5"
    return hash_algorithm


def hash_file(path, algorithm="sha256"):
    """Hex digest of a file's bytes (``"sha256"`` or ``"md5"``), read in 1 MiB chunks."""
    hasher = hashlib.new(algorithm)
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK_BYTES):
            hasher.update(chunk)
    return hasher.hexdigest()


def download(origin, target, expected=None, offline_hint=""):
    """Download ``origin`` to ``target`` atomically, checking every expected digest.

    Args:
        origin: the URL (``https://``, ``file://``, ...).
        target: final path; its folder is created if needed.
        expected: ``{"sha256" or "md5": hex digest}`` (None values are skipped).
        offline_hint: a sentence appended to the error when the origin cannot be reached.

    Returns:
        ``pathlib.Path`` of the verified file.

    Raises:
        DatasetError: the origin could not be read (naming it); nothing is left at ``target``.
        ChecksumError: a digest differs (naming the origin, target, expected and received digest);
            the download is discarded and any file already at ``target`` is kept.

    Example:
        >>> download("file:///tmp/a.bin", "/tmp/cache/a.bin", {"md5": "..."})  # doctest: +SKIP
    """
    target = Path(target)
    expected = {name: str(digest).lower() for name, digest in (expected or {}).items() if digest}
    hashers = {name: hashlib.new(name) for name in expected}
    with atomic_write(target) as stream:
        _copy_url(origin, stream, hashers, target, offline_hint)
        for name, digest in expected.items():
            received = hashers[name].hexdigest()
            if received != digest:
                raise ChecksumError(f"checksum mismatch for {origin}: expected {name} {digest}, "
                                    f"received {received}; the download to {target} was discarded")
    return target


def _copy_url(origin, stream, hashers, target, offline_hint):
    # imported here: http and ssl take ~25 ms to import, and most runs never download
    import http.client
    import urllib.error
    import urllib.request
    from tqdm import tqdm

    try:
        with urllib.request.urlopen(origin, timeout=DOWNLOAD_TIMEOUT_S) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            with tqdm(total=total, unit="B", unit_scale=True, desc=target.name, disable=None) as bar:
                while chunk := response.read(CHUNK_BYTES):
                    stream.write(chunk)
                    for hasher in hashers.values():
                        hasher.update(chunk)
                    bar.update(len(chunk))
    except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError) as error:
        raise DatasetError(f"could not download {origin} ({getattr(error, 'reason', error)}). "
                           f"{offline_hint}".rstrip()) from error


@contextlib.contextmanager
def atomic_write(target):
    """Open a temporary file beside ``target``; it replaces ``target`` only if the block succeeds.

    The data is flushed and fsynced before the rename; on any error the temporary file is deleted.

    Args:
        target: final path (its folder is created if needed).

    Returns:
        A context manager yielding a binary file object.

    Example:
        >>> with atomic_write("/tmp/demo/x.bin") as stream:  # doctest: +SKIP
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
