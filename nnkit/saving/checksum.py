"""Checksums in nnkit's HDF5 files: a SHA-256 beside every dataset and attribute nnkit writes.

A flipped byte in a weight still reads as a finite number, so only a digest finds it.
Writing: ``write_dataset`` and ``write_attribute`` store the value and, in attribute
``<name>.sha256`` (on the dataset itself, or beside the attribute), the SHA-256 of its
bytes. Reading (``SafeHDF5``): where a digest is stored, the value read must match it, else
the file is refused naming the damaged dataset or attribute; files written before checksums
(no digest) are read as before.
"""
import hashlib

import numpy

SUFFIX = ".sha256"


def digest(value):
    """SHA-256 (hex) of an array's bytes in C order, or of text (UTF-8) or an integer."""
    if isinstance(value, numpy.ndarray):
        return hashlib.sha256(numpy.ascontiguousarray(value).tobytes()).hexdigest()
    if isinstance(value, (bytes, numpy.bytes_)):
        return hashlib.sha256(bytes(value)).hexdigest()
    return hashlib.sha256(str(value).encode("utf-8")).hexdigest()


def write_dataset(group, name, data):
    """``group.create_dataset(name, data=data)`` with its digest in ``sha256`` on the dataset."""
    array = numpy.asarray(data)
    dataset = group.create_dataset(name, data=array)
    dataset.attrs["sha256"] = numpy.bytes_(digest(array))
    return dataset


def write_attribute(obj, name, value):
    """``obj.attrs[name] = value`` (text as UTF-8 bytes, inline in the header up to ~60 KB;
    integers as they are) with its digest in ``<name>.sha256``.

    Fixed-length strings keep text out of HDF5's global heap, whose corruption can make
    libhdf5 loop forever while reading; longer text is a variable-length string.
    """
    if isinstance(value, str):
        data = value.encode("utf-8")
        obj.attrs[name] = numpy.bytes_(data) if 0 < len(data) <= 60000 else value
        obj.attrs[name + SUFFIX] = numpy.bytes_(digest(data))
    else:
        obj.attrs[name] = value
        obj.attrs[name + SUFFIX] = numpy.bytes_(digest(int(value)))


def stored_digest(attrs, name):
    """The digest stored for ``name`` in ``attrs`` (text), or None (an older file)."""
    if name not in attrs:
        return None
    value = attrs[name]
    return value.decode("ascii", "replace") if isinstance(value, bytes) else str(value)
