"""Token ids to Keras's output modes: padded ``int`` rows, ``one_hot``, ``multi_hot``,
``count`` and ``tf_idf``, dense or as a ``CSRMatrix``.

Ids are given flat with the row each belongs to; an id of -1 is a dropped token (the mask
token outside ``int`` mode).
"""
import numpy

from nnkit.backend.csr import CSRMatrix


def padded_rows(ids, lengths, length=None):
    """Rows of ``ids`` (flat, ``lengths`` per row) as ``(N, T)`` int64, zero-padded to the
    longest row, or padded/truncated to ``length``."""
    lengths = numpy.asarray(lengths, dtype="int64")
    width = int(lengths.max(initial=0)) if length is None else int(length)
    starts = numpy.concatenate([[0], numpy.cumsum(lengths)[:-1]])
    kept = numpy.minimum(lengths, width)
    rows = numpy.repeat(numpy.arange(len(lengths)), kept)
    columns = numpy.arange(int(kept.sum())) - numpy.repeat(numpy.cumsum(kept) - kept, kept)
    out = numpy.zeros((len(lengths), width), dtype="int64")
    out[rows, columns] = ids[numpy.repeat(starts, kept) + columns]
    return out


def bag_of_tokens(ids, rows, n_rows, depth, mode, idf, dtype, sparse):
    """``(N, depth)`` counts of each row's ids: 1/0 (``multi_hot``), counts (``count``) or
    counts times ``idf`` (``tf_idf``); a ``CSRMatrix`` when ``sparse``.

    Args:
        ids: ``(M,)`` token ids (-1 dropped); rows: ``(M,)`` the row of each id.
    """
    keep = (ids >= 0) & (ids < depth)
    keys = rows[keep].astype("int64") * depth + ids[keep]
    keys, counts = numpy.unique(keys, return_counts=True)
    row_of, column = keys // depth, keys % depth
    values = numpy.ones(len(keys)) if mode == "multi_hot" else counts.astype("float64")
    if mode == "tf_idf":
        values = values * idf[column]
    values = values.astype(dtype)
    if sparse:
        indptr = numpy.concatenate([[0], numpy.cumsum(numpy.bincount(row_of, minlength=n_rows))])
        return CSRMatrix(values, column.astype("int64"), indptr.astype("int64"), (n_rows, depth))
    out = numpy.zeros((n_rows, depth), dtype=dtype)
    out[row_of, column] = values
    return out


def one_hot(ids, shape, depth, dtype, sparse):
    """One row of ``depth`` per id (a trailing axis of 1 is replaced); ``shape`` of the ids."""
    shape = tuple(shape[:-1]) if len(shape) > 1 and shape[-1] == 1 else tuple(shape)
    flat = ids.reshape(-1)
    encoded = bag_of_tokens(flat, numpy.arange(flat.size), flat.size, depth, "multi_hot",
                            None, dtype, sparse)
    return encoded if sparse else encoded.reshape(shape + (depth,))
