"""Where callbacks write: the path a user gives is checked when the callback is made, and its
folder is made and written to when training begins, so that a bad path fails at once with an
error naming the callback and the path the user gave (not after the first epoch, as the OS
error of a temporary file)."""
import os
import tempfile

from nnkit.errors import InvalidArgumentError


def path_argument(owner, argument, value):
    """``value`` as a non-empty ``str`` path (``str`` or ``os.PathLike`` accepted)."""
    try:
        path = os.fspath(value)
    except TypeError:
        path = None
    if not isinstance(path, str) or not path:
        raise InvalidArgumentError(f"{owner}: {argument} must be a non-empty path (str or "
                                   f"os.PathLike), received {value!r}")
    return path


def check_writable_folder(owner, argument, user_path, folder):
    """Make ``folder`` (the current folder when empty) if needed, then write and remove a
    small file in it: the same operations a save does, so what passes here can be saved.

    Raises:
        InvalidArgumentError: the folder cannot be made (a file is in the way, a read-only
            file system) or written, naming ``owner``, ``argument`` and ``user_path``.
    """
    folder = folder or os.curdir
    problem, blocker = None, _file_in_the_way(folder)
    if blocker is not None:
        problem = f"{blocker!r} is a file, not a folder"
    else:
        try:
            os.makedirs(folder, exist_ok=True)
            handle, probe = tempfile.mkstemp(prefix=".nnkit-write-check.", dir=folder)
            os.close(handle)
            os.unlink(probe)
        except OSError as error:
            problem = error.strerror or type(error).__name__
    if problem is not None:
        raise InvalidArgumentError(f"{owner}: cannot write in the folder {folder!r} of "
                                   f"{argument}={user_path!r}: {problem}")


def _file_in_the_way(folder):
    """The nearest existing ancestor of ``folder`` (itself included) when it is not a
    folder, else None."""
    while folder and not os.path.lexists(folder):
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
    return folder if folder and not os.path.isdir(folder) else None


def check_not_folder(owner, argument, user_path, path):
    """Refuse a file path that names an existing folder."""
    if os.path.isdir(path):
        raise InvalidArgumentError(f"{owner}: {argument}={user_path!r} names the existing "
                                   f"folder {path!r}; give the path of a file")
