"""Extracting tar and zip archives without letting a member escape the target folder.

A member whose path resolves outside the folder (``../x``, ``/etc/x``), or a link pointing
outside it, is skipped with a warning (as Keras does); on Pythons that have it, tar extraction
also runs under ``tarfile``'s ``"data"`` filter (no device files, no setuid bits).
"""
import os
import shutil
import tarfile
import warnings
import zipfile

from nnkit.errors import InvalidArgumentError
from nnkit.utils.downloads import DatasetError

ARCHIVE_KINDS = {"tar": (tarfile.is_tarfile, tarfile.open), "zip": (zipfile.is_zipfile, zipfile.ZipFile)}


def extract_archive(file_path, path=".", archive_format="auto"):
    """Extract a ``.tar``, ``.tar.gz``, ``.tar.bz2`` or ``.zip`` archive into ``path``.

    Args:
        file_path: the archive.
        path: the folder to extract into (created if needed).
        archive_format: ``"auto"`` (``["tar", "zip"]``), ``"tar"``, ``"zip"``, a list of them,
            or None / ``[]`` (extract nothing).

    Returns:
        True if the archive matched one of the formats and was extracted, else False.

    Raises:
        InvalidArgumentError: an unknown format name.
        DatasetError: the archive is damaged (the half-extracted folder is removed).

    Example:
        >>> extract_archive("/tmp/data.tar.gz", "/tmp/data")  # doctest: +SKIP
        True
    """
    if not archive_format:
        return False
    kinds = ["tar", "zip"] if archive_format == "auto" else (
        [archive_format] if isinstance(archive_format, str) else list(archive_format))
    unknown = [kind for kind in kinds if kind not in ARCHIVE_KINDS]
    if unknown:
        raise InvalidArgumentError(f"extract_archive: archive_format must be 'auto', 'tar', 'zip', a list "
                                   f"of them or None, received {archive_format!r}")
    file_path, path = os.fspath(file_path), os.fspath(path)
    for kind in kinds:
        is_kind, open_archive = ARCHIVE_KINDS[kind]
        if not is_kind(file_path):
            continue
        try:
            with open_archive(file_path) as archive:
                _extract_safely(archive, path)
        except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as error:
            if os.path.isdir(path):
                shutil.rmtree(path)
            raise DatasetError(f"could not extract {file_path} into {path}: {error}") from error
        return True
    return False


def _extract_safely(archive, path):
    """Extract the members of an open tar or zip archive that stay inside ``path``."""
    base = os.path.realpath(path)
    os.makedirs(base, exist_ok=True)
    if isinstance(archive, zipfile.ZipFile):
        archive.extractall(base, members=[info for info in archive.infolist()
                                          if _kept(info.filename, _inside(base, info.filename))])
        return
    members = [info for info in archive.getmembers() if _kept(info.name, _tar_member_inside(info, base))]
    if hasattr(tarfile, "data_filter"):
        archive.extractall(base, members=members, filter="data")
    else:
        archive.extractall(base, members=members)


def _kept(name, inside):
    if not inside:
        warnings.warn(f"Skipping invalid path during archive extraction: {name!r} (it leaves the "
                      f"extraction folder)", stacklevel=4)
    return inside


def _inside(base, relative):
    """Whether ``base/relative`` resolves to a place inside ``base``."""
    resolved = os.path.realpath(os.path.join(base, relative))
    return os.path.commonpath([resolved, base]) == base


def _tar_member_inside(info, base):
    """A tar member stays inside ``base``, and so does its link target if it is a link."""
    if not _inside(base, info.name):
        return False
    if info.islnk():                  # hard links name a member path from the archive's root
        return _inside(base, info.linkname)
    if info.issym():                  # symbolic links are relative to the link's own folder
        return _inside(base, os.path.join(os.path.dirname(info.name), info.linkname))
    return True
