"""Checking and batching what users pass to fit/evaluate/predict.

Every check runs once per call on the host, before any training, and raises
an nnkit error that names the argument with expected vs received values.
"""
import numpy

from nnkit import config, random
from nnkit.errors import DTypeError, InvalidArgumentError, ShapeError, describe
from nnkit.backend.csr import CSRMatrix, is_sparse


def _is_text(x):
    """Whether ``x`` is a batch of strings (a list of ``str``/bytes or a str/object array)."""
    if isinstance(x, numpy.ndarray):
        return x.dtype.kind in "US" or (x.dtype == object and x.size > 0 and
                                        isinstance(x.flat[0], (str, bytes)))
    first = x
    while isinstance(first, (list, tuple)) and first:
        first = first[0]
    return isinstance(first, (str, bytes)) and isinstance(x, (list, tuple))


def as_text_inputs(x, argument="x"):
    """A batch of strings as an object array ``(N, ...)`` (``(N,)`` becomes ``(N, 1)``, as
    Keras adjusts a rank-1 batch for ``Input(shape=(1,), dtype="string")``)."""
    try:
        x = numpy.asarray(x, dtype=object)
    except ValueError as error:
        raise ShapeError(f"{argument}: strings of ragged nested lists cannot form a batch "
                         f"({error})") from None
    if x.ndim == 0 or x.shape[0] == 0:
        raise ShapeError(f"{argument}: the input is empty (0 examples)")
    if not all(isinstance(value, (str, bytes)) for value in x.reshape(-1).tolist()):
        raise DTypeError(f"{argument}: a batch of strings holds a non-string element")
    return x.reshape(-1, 1) if x.ndim == 1 else x


def as_inputs(x, argument="x", takes_strings=None):
    """``x`` as a host array (or ``CSRMatrix``), non-empty and finite.

    A batch of strings passes (``as_text_inputs``) unless ``takes_strings`` is False (the
    model's first layer takes numbers); with None the first layer checks it.
    """
    if not is_sparse(x) and _is_text(x):
        if takes_strings is False:
            raise DTypeError(f"{argument}: the model takes numbers, received strings "
                             f"{describe(numpy.asarray(x))} (put a TextVectorization or "
                             f"StringLookup layer first, on an Input of dtype 'string')")
        return as_text_inputs(x, argument)
    if is_sparse(x):
        x = CSRMatrix.from_matrix(x)
        values = x.data
    else:
        try:
            x = numpy.asarray(x)
        except ValueError as error:
            raise ShapeError(f"{argument}: sequences of different lengths cannot form a batch; "
                             f"pad them with nnkit.preprocessing.pad_sequences ({error})") from None
        if x.dtype == object:
            raise DTypeError(f"{argument}: expected a numeric array, received {describe(x)} "
                             f"(ragged sequences? pad them with pad_sequences)")
        values = x
    if x.ndim < 2:
        raise ShapeError(f"{argument}: expected a batch of rank >= 2 (N, ...), received "
                         f"{describe(x)}")
    if x.shape[0] == 0:
        raise ShapeError(f"{argument}: the input is empty (0 examples)")
    if 0 in x.shape:
        raise ShapeError(f"{argument}: the input is empty (an axis of size 0), received "
                         f"{describe(x)}")
    if values.dtype.kind not in "biuf":
        raise DTypeError(f"{argument}: expected numbers, received {describe(x)}")
    if values.dtype.kind == "f" and not all_finite(values):
        raise InvalidArgumentError(f"{argument}: contains NaN or infinite values")
    if values.dtype.itemsize > 4 and values.dtype.kind == "f" and config.floatx() == "float32" \
            and values.size and numpy.abs(values).max() > numpy.finfo("float32").max:
        raise InvalidArgumentError(f"{argument}: values up to {numpy.abs(values).max():.3g} "
                                   f"become infinite in float32 (the model's floatx); scale "
                                   f"the inputs or use nnkit.set_floatx('float64')")
    return x


def all_finite(values, chunk=1 << 16):
    """``numpy.isfinite(values).all()`` in chunks of rows, so a huge input is not doubled."""
    rows = max(1, chunk // max(1, int(numpy.prod(values.shape[1:], dtype="int64"))))
    return all(numpy.isfinite(values[i:i + rows]).all() for i in range(0, values.shape[0], rows))


def _batch_shape(shape):
    """``(N, 3)`` / ``(N,)``: a shape with the batch axis written as N."""
    return "(" + ", ".join(["N"] + [str(size) for size in shape]) + ("," if not shape else "") + ")"


def as_targets(y, loss, output_shape, argument="y"):
    """``y`` checked against the loss and the model's output shape ``(N, ...)``."""
    try:
        y = numpy.asarray(y)
    except ValueError:
        raise ShapeError(f"{argument}: ragged targets cannot form an array") from None
    if y.dtype.kind not in "biuf":
        raise DTypeError(f"{argument}: expected numeric targets, received {describe(y)}")
    if y.ndim == 0:
        raise ShapeError(f"{argument}: expected one target per example (N, ...), received "
                         f"a scalar")
    if y.dtype.kind == "f" and not numpy.isfinite(y).all():
        raise InvalidArgumentError(f"{argument}: contains NaN or infinite values")
    expected = loss.label_shape(output_shape)[1:]
    if loss.sparse_labels and y.shape[1:] == tuple(expected) + (1,):
        y = y[..., 0]                       # Keras takes class ids as (N, 1) too
    if not loss.sparse_labels and output_shape[-1] == 1 and y.shape[1:] == expected[:-1]:
        y = y.reshape(y.shape + (1,))
    if tuple(y.shape[1:]) != tuple(expected):
        raise ShapeError(f"{argument}: loss '{loss.name}' expects targets of shape "
                         f"{_batch_shape(expected)} for model outputs "
                         f"{_batch_shape(output_shape[1:])}, received {describe(y)}")
    if loss.sparse_labels:
        classes = output_shape[-1]
        if y.dtype.kind == "f" and not (y == numpy.round(y)).all():
            raise DTypeError(f"{argument}: loss '{loss.name}' expects integer class labels, "
                             f"received non-integer values")
        if y.size and (y.min() < 0 or y.max() >= classes):
            raise InvalidArgumentError(f"{argument}: class labels must be in [0, {classes}) "
                                       f"for a model with {classes} outputs, received labels "
                                       f"in [{y.min()}, {y.max()}]")
        return y.astype("int64")
    if loss.name == "binary_crossentropy" and y.size and (y.min() < 0 or y.max() > 1):
        raise InvalidArgumentError(f"{argument}: binary_crossentropy targets must be in [0, 1], "
                                   f"received values in [{y.min()}, {y.max()}]")
    # Keras casts targets to the predictions' dtype: bool and integer one-hots become floats
    return y if y.dtype.kind == "f" else y.astype(config.floatx())


def as_sample_weight(sample_weight, entries_shape):
    """Per-example ``(N,)`` or per-step ``(N, T)`` non-negative weights."""
    if sample_weight is None:
        return None
    try:
        weights = numpy.asarray(sample_weight)
    except ValueError:
        raise ShapeError("sample_weight: ragged weights cannot form an array") from None
    if weights.dtype.kind not in "biuf":
        raise DTypeError(f"sample_weight: expected numbers, received {describe(weights)}")
    weights = weights.astype("float64")
    if tuple(weights.shape) not in (tuple(entries_shape[:1]), tuple(entries_shape)):
        raise ShapeError(f"sample_weight: expected shape {tuple(entries_shape[:1])} or "
                         f"{tuple(entries_shape)}, received {describe(weights)}")
    if not numpy.isfinite(weights).all() or (weights < 0).any():
        raise InvalidArgumentError("sample_weight: weights must be finite and >= 0")
    return weights


def with_class_weight(sample_weight, y, class_weight, loss, outputs):
    """``sample_weight`` (or ones) times each example's class weight ``(N,)`` (or ``(N, T)``).

    The class is the label for sparse labels, the argmax of a one-hot (or soft) target,
    or ``y > 0.5`` for a single sigmoid output; ``outputs`` (the model's last output axis)
    says which classes exist (2 for one sigmoid output).
    """
    if not isinstance(class_weight, dict) or not all(
            isinstance(k, (int, numpy.integer)) and not isinstance(k, bool) for k in class_weight):
        raise InvalidArgumentError(f"class_weight must be a dict {{class index: weight}}, "
                                   f"received {class_weight!r}")
    if loss.sparse_labels:
        classes = y
    elif y.shape[-1] == 1:
        classes = (y[..., 0] > 0.5).astype("int64")
    else:
        classes = y.argmax(axis=-1)
    known = 2 if outputs == 1 else outputs
    unknown = sorted(k for k in class_weight if not 0 <= k < known)
    if unknown:
        raise InvalidArgumentError(f"class_weight names classes {unknown} that the model does not "
                                   f"have: its {outputs} output(s) give classes 0..{known - 1}")
    table = numpy.ones(max(int(classes.max(initial=0)), *class_weight) + 1)
    for label, weight in class_weight.items():
        if not numpy.isfinite(weight) or weight < 0:
            raise InvalidArgumentError(f"class_weight: weights must be finite and >= 0, "
                                       f"received {weight!r} for class {label}")
        table[label] = weight
    weights = table[classes]
    return weights if sample_weight is None else sample_weight * weights


def check_lengths(x, y, sample_weight):
    if y is not None and x.shape[0] != len(y):
        raise ShapeError(f"x and y must have the same number of examples: x has {x.shape[0]}, "
                         f"y has {len(y)}")
    if sample_weight is not None and len(sample_weight) != x.shape[0]:
        raise ShapeError(f"sample_weight has {len(sample_weight)} entries for {x.shape[0]} "
                         f"examples")


def check_batch_size(batch_size, argument="batch_size"):
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, numpy.integer)) \
            or batch_size <= 0:
        raise InvalidArgumentError(f"{argument} must be a positive integer, received "
                                   f"{batch_size!r}")
    return int(batch_size)


def check_verbose(verbose):
    """Keras's ``verbose``: 0, 1, 2 or "auto" (= 1); returns the number."""
    if verbose == "auto":
        return 1
    if isinstance(verbose, bool) or verbose not in (0, 1, 2):
        raise InvalidArgumentError(f"verbose must be 0, 1, 2 or 'auto', received {verbose!r}")
    return int(verbose)


def sequence_lengths(x):
    """Number of non-zero ids per row of a padded ``(N, T)`` id array."""
    return (x != 0).sum(axis=1)


def length_order(x):
    """Rows of a padded ``(N, T)`` id array, longest first (stable); None for other inputs.

    Batches cut from this order hold sequences of similar length, so a masked
    recurrent layer runs fewer steps (``predict`` restores the original order).
    """
    if is_sparse(x) or x.ndim != 2 or x.dtype.kind not in "iu":
        return None
    return numpy.argsort(-sequence_lengths(x), kind="stable")


def batch_indices(n, batch_size, shuffle, x=None):
    """Index arrays of the batches of one epoch.

    Args:
        shuffle: False (in order), True (a fresh permutation from nnkit's
            generator) or "bucket" (shuffled, then sorted by sequence length
            within windows of 32 batches, so batches hold similar lengths and
            little padding is computed; batch order is shuffled again).
    """
    if shuffle == "bucket":
        order = random.generator().permutation(n)
        lengths = sequence_lengths(x[order]) if x is not None and x.ndim == 2 else numpy.zeros(n)
        window = batch_size * 32
        for start in range(0, n, window):
            chunk = order[start:start + window]
            order[start:start + window] = chunk[numpy.argsort(lengths[start:start + window],
                                                              kind="stable")]
        batches = [order[i:i + batch_size] for i in range(0, n, batch_size)]
        return [batches[i] for i in random.generator().permutation(len(batches))]
    if shuffle not in (True, False):
        raise InvalidArgumentError(f"shuffle must be True, False or 'bucket', received {shuffle!r}")
    order = random.generator().permutation(n) if shuffle else numpy.arange(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def take(array, index):
    """Rows ``index`` of an array, a CSR matrix, or None."""
    return None if array is None else array[index]
