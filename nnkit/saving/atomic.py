"""Atomic file replacement: a crash leaves the old file or the new one, never a mix."""
import glob
import os
import tempfile


def temp_prefix(path):
    """Prefix of the temporary files written for ``path``: ``.<name>.<pid>.``."""
    return f".{os.path.basename(path)}.{os.getpid()}."


def clean_stale_temp_files(path):
    """Remove temporary files of ``path`` left by writers that died (SIGKILL, power loss).

    A temporary file is ``.<name>.<pid>.<random>.tmp`` in the same folder; it is
    removed when no process with that id is alive on this machine. Files of
    live writers are left alone. Returns the paths removed.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    removed = []
    pattern = os.path.join(glob.escape(directory), f".{glob.escape(os.path.basename(path))}.*.tmp")
    for candidate in glob.glob(pattern):
        pid = os.path.basename(candidate)[len(os.path.basename(path)) + 2:].split(".", 1)[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        try:
            os.unlink(candidate)
            removed.append(candidate)
        except OSError:
            pass
    return removed


def _alive(pid):
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def atomic_write(path, write):
    """Call ``write(tmp_path)`` then atomically move ``tmp_path`` onto ``path``.

    The temporary file lives in the same folder (so the rename is atomic on
    POSIX), is fsynced before the rename, and the folder is fsynced after it.
    On any error the temporary file is removed and ``path`` is untouched.
    Temporary files left by writers killed earlier are removed first.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    clean_stale_temp_files(path)
    handle, tmp_path = tempfile.mkstemp(prefix=temp_prefix(path), suffix=".tmp", dir=directory)
    os.close(handle)
    try:
        write(tmp_path)
        with open(tmp_path, "rb+") as file:
            os.fsync(file.fileno())
        os.replace(tmp_path, path)
    except BaseException:
        if os.path.exists(tmp_path):
            os.unlink(tmp_path)
        raise
    folder = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
