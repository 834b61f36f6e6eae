"""to_categorical: class indices to one-hot rows."""
import numpy

from nnkit.errors import InvalidArgumentError, describe


def to_categorical(x, num_classes=None):
    """One-hot float32 encoding of class indices (Keras's ``keras.utils.to_categorical``).

    Args:
        x: integer class indices of any shape ``S`` (a trailing axis of size 1 is dropped, as Keras).
        num_classes: C (default: ``max(x) + 1``).

    Returns:
        float32 array ``S + (C,)``.

    Example:
        >>> to_categorical([0, 2, 1], 3)
        array([[1., 0., 0.], [0., 0., 1.], [0., 1., 0.]], dtype=float32)
    """
    labels = numpy.asarray(x)
    if labels.dtype.kind not in "iub" and not (labels.dtype.kind == "f" and
                                               numpy.array_equal(labels, numpy.round(labels))):
        raise InvalidArgumentError(f"to_categorical: expected integer class indices, received "
                                   f"{describe(labels)}")
    labels = labels.astype("int64")
    if labels.ndim > 1 and labels.shape[-1] == 1:
        labels = labels[..., 0]
    classes = int(labels.max(initial=-1)) + 1 if num_classes is None else int(num_classes)
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise InvalidArgumentError(f"to_categorical: class indices must be in [0, {classes}), "
                                   f"received [{labels.min()}, {labels.max()}]")
    out = numpy.zeros(labels.shape + (classes,), dtype="float32")
    numpy.put_along_axis(out, labels[..., None], 1.0, axis=-1)
    return out
