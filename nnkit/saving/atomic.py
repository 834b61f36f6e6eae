"""Atomic file replacement: a crash leaves the old file or the new one, never a mix."""
import os
import tempfile


def atomic_write(path, write):
    """Call ``write(tmp_path)`` then atomically move ``tmp_path`` onto ``path``.

    The temporary file lives in the same folder (so the rename is atomic on
    POSIX), is fsynced before the rename, and the folder is fsynced after it.
    On any error the temporary file is removed and ``path`` is untouched.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    handle, tmp_path = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp",
                                        dir=directory)
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
