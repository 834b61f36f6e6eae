"""SafeHDF5: reads an untrusted HDF5 file defensively (nnkit checkpoints and Keras's files).

Everything read is checked before use: links must be hard links inside the
file (no external or soft links), datasets must be plain (no external storage,
no virtual sources, no filters) with a numeric dtype and exactly the expected
shape, and text attributes are size-capped JSON. Any problem becomes a
``CheckpointError`` naming the file and what was wrong.
"""
import json

import numpy

from nnkit.errors import CheckpointError, NnkitError
from nnkit.saving import checksum
from nnkit.saving.format import MAX_JSON_BYTES

CONVERTED_ERRORS = (OSError, KeyError, ValueError, TypeError, AttributeError, IndexError,
                    RecursionError, OverflowError, MemoryError, RuntimeError, NnkitError)


class SafeHDF5:
    """Context manager over an open HDF5 file; every failure is a CheckpointError.

    Args:
        path: the file's path, or a name for the messages when ``source`` is given.
        source: an open binary file object to read instead of ``path`` (a zip member).
    """

    def __init__(self, path, source=None):
        self.path = str(path)
        self.source = source
        self.file = None

    def __enter__(self):
        import h5py
        try:
            self.file = h5py.File(self.source if self.source is not None else self.path, "r")
        except (OSError, ValueError) as error:
            raise CheckpointError(f"cannot open checkpoint {self.path!r}: {error}") from None
        try:
            self.check()
        except BaseException as error:
            self.file.close()
            if isinstance(error, CONVERTED_ERRORS) and not isinstance(error, CheckpointError):
                raise CheckpointError(f"checkpoint {self.path!r} is invalid: "
                                      f"{type(error).__name__}: {error}") from error
            raise
        return self

    def __exit__(self, kind, error, traceback):
        self.file.close()
        if error is not None and isinstance(error, CONVERTED_ERRORS) and \
                not isinstance(error, CheckpointError):
            raise CheckpointError(f"checkpoint {self.path!r} is invalid: "
                                  f"{type(error).__name__}: {error}") from error
        return False

    def check(self):
        """Checks of the file's kind, run on opening (none here)."""

    def fail(self, message):
        raise CheckpointError(f"checkpoint {self.path!r}: {message}")

    # ---- primitives ------------------------------------------------------
    def attribute(self, name, kind, required=True, path=""):
        """Attribute ``name`` of the group at ``path`` (the root by default), checked against
        its stored checksum, as text (``kind`` str) or an integer (``kind`` int)."""
        attrs = (self.file if path in ("", "/") else self.node(path)).attrs
        where = f"{path}/{name}" if path else name
        if name not in attrs:
            if required:
                self.fail(f"missing attribute {where!r}")
            return None
        value = attrs[name]
        expected = checksum.stored_digest(attrs, name + checksum.SUFFIX)
        if expected is not None:
            raw = value if isinstance(value, (bytes, numpy.bytes_)) else \
                value.encode("utf-8") if isinstance(value, str) else value
            if isinstance(raw, (numpy.integer, int)) and not isinstance(raw, bool):
                raw = int(raw)
            if checksum.digest(raw) != expected:
                self.fail(f"attribute {where!r} is damaged: it does not match its checksum")
        if isinstance(value, bytes):
            value = value.decode("utf-8")
        if kind is str and not isinstance(value, str):
            self.fail(f"attribute {where!r} should be text, found {type(value).__name__}")
        if kind is int:
            if not isinstance(value, (int, numpy.integer)) or isinstance(value, bool):
                self.fail(f"attribute {where!r} should be an integer, found {value!r}")
            value = int(value)
        return value

    def json_attribute(self, name, required=True, path=""):
        text = self.attribute(name, str, required, path)
        return None if text is None else self._parse_json(text, name)

    def _parse_json(self, text, what):
        if len(text) > MAX_JSON_BYTES:
            self.fail(f"{what} is larger than {MAX_JSON_BYTES} bytes")
        try:
            return json.loads(text)
        except (ValueError, RecursionError) as error:
            self.fail(f"{what} is not valid JSON ({error})")

    def text_list_attribute(self, path, name, max_items=1 << 20):
        """The list of texts in attribute ``name`` of the group at ``path`` ("" for the root),
        as Keras stores ``layer_names`` and ``weight_names`` (an empty list may be stored as
        an empty float array)."""
        group = self.file if path in ("", "/") else self.node(path)
        if name not in group.attrs:
            self.fail(f"{path or '/'!r} has no attribute {name!r}")
        value = numpy.asarray(group.attrs[name])
        if value.size == 0:
            return []
        if value.ndim != 1 or value.dtype.kind not in "SOU" or value.size > max_items:
            self.fail(f"attribute {name!r} of {path or '/'!r} must be a list of names, "
                      f"found {value.dtype} of shape {value.shape}")
        items = [item.decode("utf-8") if isinstance(item, bytes) else item for item in value]
        if not all(isinstance(item, str) and item for item in items):
            self.fail(f"attribute {name!r} of {path or '/'!r} holds a non-text or empty name")
        return items

    def node(self, path):
        """The object at ``path``, reached only through hard links."""
        import h5py
        current = self.file
        for part in path.strip("/").split("/"):
            if not isinstance(current, h5py.Group):
                self.fail(f"{path!r}: {current.name!r} is not a group")
            link = current.get(part, getlink=True)
            if link is None:
                self.fail(f"missing {path!r}")
            if not isinstance(link, h5py.HardLink):
                self.fail(f"{path!r} is a {type(link).__name__}; only hard links are allowed")
            current = current[part]
        return current

    def has(self, path):
        """Whether ``path`` exists; a link of another kind on the way is an error, not absence."""
        import h5py
        current = self.file
        for part in path.strip("/").split("/"):
            if not isinstance(current, h5py.Group) or current.get(part, getlink=True) is None:
                return False
            current = self.node(f"{current.name}/{part}")
        return True

    def dataset(self, path):
        """The dataset at ``path``: plain, stored in this file, uncompressed and fully written.

        nnkit never compresses, so a filter is refused (no decompression bombs), and
        a dataset whose declared size exceeds what is stored is refused before any
        allocation.
        """
        import h5py
        dataset = self.node(path)
        if not isinstance(dataset, h5py.Dataset):
            self.fail(f"{path!r} is not a dataset")
        if dataset.is_virtual or dataset.external:
            self.fail(f"{path!r} refers to data outside the file")
        if dataset.compression is not None or dataset.id.get_create_plist().get_nfilters():
            self.fail(f"{path!r} is compressed or filtered; nnkit writes plain datasets")
        nbytes = int(numpy.prod(dataset.shape, dtype=object)) * dataset.dtype.itemsize
        if nbytes and dataset.id.get_storage_size() < nbytes:
            self.fail(f"{path!r} declares {nbytes} bytes but stores "
                      f"{dataset.id.get_storage_size()}")
        return dataset

    def array(self, path, shape, kinds="f", max_size=None):
        """Read dataset ``path`` after checking it is plain, numeric and of ``shape``."""
        dataset = self.dataset(path)
        if dataset.dtype.kind not in kinds or dataset.dtype.fields is not None or \
                dataset.dtype.subdtype is not None:
            self.fail(f"{path!r} has dtype {dataset.dtype}, expected kind {kinds!r}")
        if shape is not None and tuple(dataset.shape) != tuple(shape):
            self.fail(f"{path!r} has shape {tuple(dataset.shape)}, expected {tuple(shape)}")
        if max_size is not None and dataset.size > max_size:
            self.fail(f"{path!r} has {dataset.size} elements, more than {max_size}")
        value = dataset[()]
        expected = checksum.stored_digest(dataset.attrs, "sha256")
        if expected is not None and checksum.digest(numpy.asarray(value)) != expected:
            self.fail(f"{path!r} is damaged: its values do not match their checksum")
        if dataset.dtype.kind == "f" and not numpy.isfinite(value).all():
            self.fail(f"{path!r} contains NaN or infinite values")
        return value

    def stored_elements(self, root):
        """Total number of array elements under group ``root`` (0 when absent): the budget
        for building a model whose weights are read from there. Every link on the way
        must be a hard link inside the file."""
        import h5py
        if not self.has(root):
            return 0
        group, names = self.node(root), []
        visit = getattr(group, "visit_links", group.visit)      # visit_links: h5py >= 3.11
        visit(lambda name, *link: names.append(name))
        total = 0
        for name in names:
            if isinstance(self.node(f"{root}/{name}"), h5py.Dataset):
                total += int(numpy.prod(self.dataset(f"{root}/{name}").shape, dtype=object))
        return total
