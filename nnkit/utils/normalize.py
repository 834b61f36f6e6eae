"""normalize: scale an array to unit norm along an axis (Keras's ``keras.utils.normalize``)."""
import numpy

from nnkit.errors import InvalidArgumentError


def normalize(x, axis=-1, order=2):
    """Divide ``x`` by its ``order``-norm along ``axis``; slices of norm 0 are left as they are.

    Args:
        x: array of any shape S (a NumPy array is returned).
        axis: the axis of the norm (None: the last). Keras 3.15's NumPy path takes ``axis=0``
            for the norm but -1 for the division; nnkit normalises along ``axis`` as documented
            (what Keras's tensor path, ``keras.ops.normalize``, does).
        order: the norm's order (2: Euclidean, 1: sum of absolute values, ``numpy.inf``: max).

    Shapes:
        x ``S`` → ``S``, e.g. ``(N, D)`` rows of unit length; a 1-D ``(D,)`` gives ``(1, D)``,
        as in Keras.

    Returns:
        A normalised float copy of ``x``.

    Example:
        >>> normalize(numpy.array([[3.0, 4.0], [0.0, 0.0]]))
        array([[0.6, 0.8],
               [0. , 0. ]])
    """
    x = numpy.asarray(x)
    if x.ndim == 0:
        raise InvalidArgumentError("normalize: expected an array with at least one axis, received a scalar")
    axis = -1 if axis is None else axis
    if not -x.ndim <= axis < x.ndim:
        raise InvalidArgumentError(f"normalize: axis {axis} is out of range for an array of shape {x.shape}")
    norm = numpy.atleast_1d(numpy.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / numpy.expand_dims(norm, axis)
