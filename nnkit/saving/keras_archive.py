"""A Keras 3 ``.keras`` file: a zip of ``config.json``, ``metadata.json`` and ``model.weights.h5``.

The file is untrusted. ``read_archive`` refuses an archive with an absolute or
``..`` member name anywhere in it, reads no member but those three, and caps each
member's size and its compression ratio before reading it, counting the bytes it
actually inflates (a header that lies about the size does not get past the cap).
``read_members`` reads named ``assets/`` members (vocabularies) under the same checks.
"""
import json
import zipfile

from nnkit.errors import CheckpointError
from nnkit.saving.atomic import atomic_write
from nnkit.saving.format import MAX_JSON_BYTES

CONFIG, METADATA, WEIGHTS = "config.json", "metadata.json", "model.weights.h5"
MAX_MEMBERS = 10000
MAX_WEIGHTS_BYTES = 4 << 30
#: one asset member (a vocabulary.txt): 10 million tokens of ~50 bytes
MAX_ASSET_BYTES = 512 << 20
#: inflated / stored size above which a member over 1 MiB is refused (float weights
#: compress 1-2x; a zip bomb compresses 1000x)
MAX_COMPRESSION_RATIO = 200
_CHUNK = 1 << 20


def is_zip(path):
    """Whether ``path`` is a zip archive (by its content, not its name)."""
    try:
        return zipfile.is_zipfile(path)
    except OSError:
        return False


def _fail(path, message):
    raise CheckpointError(f"Keras archive {str(path)!r}: {message}")


def _check_names(path, infos):
    if len(infos) > MAX_MEMBERS:
        _fail(path, f"has {len(infos)} members, more than {MAX_MEMBERS}")
    for info in infos:
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or ".." in parts:
            _fail(path, f"member name {name!r} is absolute or leaves the archive")


def _read_member(path, archive, name, limit):
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > limit:
        _fail(path, f"member {name!r} declares {info.file_size} bytes, more than {limit}")
    if info.file_size > _CHUNK and info.file_size > MAX_COMPRESSION_RATIO * max(
            info.compress_size, 1):
        _fail(path, f"member {name!r} inflates {info.file_size / max(info.compress_size, 1):.0f}x"
                    f", more than {MAX_COMPRESSION_RATIO}x")
    chunks, total = [], 0
    with archive.open(info) as member:
        while True:
            chunk = member.read(_CHUNK)
            if not chunk:
                break
            total += len(chunk)
            if total > min(limit, info.file_size):
                _fail(path, f"member {name!r} inflates past its declared size")
            chunks.append(chunk)
    return b"".join(chunks)


#: what zipfile raises on a file that is not a zip, or on a damaged member
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
               NotImplementedError, RuntimeError)


def _read_checked_member(path, archive, name, limit):
    """``_read_member``, with a damaged member (bad CRC, bad compressed data) named."""
    try:
        return _read_member(path, archive, name, limit)
    except CheckpointError:
        raise
    except _ZIP_ERRORS as error:
        _fail(path, f"member {name!r} is damaged or cannot be read: {type(error).__name__}: "
                    f"{error}")


def _open_archive(path):
    """The zip at ``path``, its member names checked (use it as a context manager).

    Raises:
        CheckpointError: not a zip, or a hostile member name.
    """
    try:
        archive = zipfile.ZipFile(path)
    except _ZIP_ERRORS as error:
        _fail(path, f"cannot be read as a zip archive: {type(error).__name__}: {error}")
    try:
        _check_names(path, archive.infolist())
    except BaseException:
        archive.close()
        raise
    return archive


def read_archive(path):
    """``(config dict, metadata dict, weights bytes)`` of the ``.keras`` file at ``path``.

    Raises:
        CheckpointError: not a zip, a hostile member name, a missing or oversized
            member, JSON that does not parse.
    """
    with _open_archive(path) as archive:
        config, metadata, weights = (
            _read_checked_member(path, archive, name, limit) for name, limit in
            ((CONFIG, MAX_JSON_BYTES), (METADATA, MAX_JSON_BYTES), (WEIGHTS, MAX_WEIGHTS_BYTES)))
    if config is None:
        _fail(path, f"has no {CONFIG}")
    if weights is None:
        _fail(path, f"has no {WEIGHTS} (sharded or other weight formats are not read)")
    return _json(path, config, CONFIG), _json(path, metadata or b"{}", METADATA), weights


def read_members(path, names):
    """``{name: bytes or None (absent)}`` of the asset members ``names`` of the archive.

    Raises:
        CheckpointError: as ``read_archive``; a member over ``MAX_ASSET_BYTES``.
    """
    with _open_archive(path) as archive:
        return {name: _read_checked_member(path, archive, name, MAX_ASSET_BYTES)
                for name in names}


def _json(path, data, name):
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        _fail(path, f"{name} is not valid JSON ({error})")
    if not isinstance(value, dict):
        _fail(path, f"{name} must hold a JSON object")
    return value


def write_archive(path, config, metadata, weights, assets=None):
    """Write a ``.keras`` zip atomically (members stored uncompressed, as Keras writes them);
    ``assets``: ``{member name: bytes}`` written after the weights."""
    def write(tmp_path):
        with zipfile.ZipFile(tmp_path, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr(METADATA, json.dumps(metadata))
            archive.writestr(CONFIG, json.dumps(config))
            archive.writestr(WEIGHTS, weights)
            for name, data in (assets or {}).items():
                archive.writestr(name, data)
    atomic_write(path, write)
