"""Shape ops: ``reshape``, ``expand_dims``, ``squeeze``, ``ravel`` and ``broadcast_to``.

The first four keep the elements and their order in a new shape: ``dx`` is ``dy`` reshaped
back to ``x``'s shape. ``broadcast_to`` copies ``x`` along stretched axes: ``dx`` is ``dy``
summed back to ``x``'s shape.

Axis permutations and ``flip`` are in ``nnkit.ops.permutations``, joining and splitting in
``nnkit.ops.joining``, gathers (``take``, ``x[...]``, ``repeat``, ``tile``) in
``nnkit.ops.indexing``, ``pad`` in ``nnkit.ops.padding``.
"""
import math

from nnkit.errors import InvalidArgumentError, ShapeError
from nnkit.ops.arguments import axis_argument, axis_config, int_tuple
from nnkit.ops.op import OPS, Op, normalize_axis, unbroadcast

__all__ = ["reshape", "expand_dims", "squeeze", "ravel", "broadcast_to"]


class ShapeOnly(Op):
    """Base of the ops that keep the elements and their order and change only the shape:
    ``dx = dy.reshape(x.shape)``. A subclass writes ``reshaped(xp, x)``."""

    def forward(self, xp, x):
        return self.reshaped(xp, x), x.shape

    def backward(self, xp, cache, dy):
        return (dy.reshape(cache),)


@OPS.register
class Reshape(ShapeOnly):
    """``x`` with shape ``newshape`` (one entry may be -1: the size that fits)."""

    name = "reshape"

    def __init__(self, newshape):
        self.newshape = int_tuple(newshape, "reshape", "newshape")
        if self.newshape.count(-1) > 1 or any(size < -1 for size in self.newshape):
            raise InvalidArgumentError(f"ops.reshape: newshape must hold sizes >= 0 and at most "
                                       f"one -1, received {newshape!r}")

    def get_config(self):
        return {"newshape": list(self.newshape)}

    def reshaped(self, xp, x):
        known = math.prod(size for size in self.newshape if size != -1)
        fits = x.size % known == 0 if -1 in self.newshape and known else known == x.size
        if not fits:
            raise ShapeError(f"ops.reshape: cannot reshape an array of shape {x.shape} "
                             f"({x.size} elements) to {self.newshape}")
        return x.reshape(self.newshape)


def reshape(x, newshape):
    """``x`` with a new shape of the same size; one entry of ``newshape`` may be -1."""
    return Reshape(newshape)(x)


@OPS.register
class ExpandDims(ShapeOnly):
    """``x`` with a new axis of size 1 at ``axis`` (an int or a tuple) of the output."""

    name = "expand_dims"

    def __init__(self, axis):
        self.axis = axis_argument(axis, "expand_dims")

    def get_config(self):
        return {"axis": axis_config(self.axis)}

    def reshaped(self, xp, x):
        ndim = x.ndim + (1 if isinstance(self.axis, int) else len(self.axis))
        return xp.expand_dims(x, normalize_axis(self.axis, ndim, self.name))


def expand_dims(x, axis):
    """``x`` with a size-1 axis inserted at ``axis`` (Keras's ``ops.expand_dims``)."""
    return ExpandDims(axis)(x)


@OPS.register
class Squeeze(ShapeOnly):
    """``x`` without its size-1 axes (all of them, or those in ``axis``, which must be 1)."""

    name = "squeeze"

    def __init__(self, axis=None):
        self.axis = None if axis is None else axis_argument(axis, "squeeze")

    def get_config(self):
        return {"axis": axis_config(self.axis)}

    def reshaped(self, xp, x):
        axis = normalize_axis(self.axis, x.ndim, self.name)
        for entry in (axis,) if isinstance(axis, int) else axis or ():
            if x.shape[entry] != 1:
                raise ShapeError(f"ops.squeeze: axis {entry} of shape {x.shape} has size "
                                 f"{x.shape[entry]}, expected 1")
        return xp.squeeze(x, axis=axis)


def squeeze(x, axis=None):
    """``x`` without its size-1 axes (or only those in ``axis``)."""
    return Squeeze(axis)(x)


@OPS.register
class Ravel(ShapeOnly):
    """``x`` flattened to ``(x.size,)`` in C order."""

    name = "ravel"

    def reshaped(self, xp, x):
        return x.reshape(-1)


def ravel(x):
    """``x`` as a 1-D array of all its elements (C order)."""
    return Ravel()(x)


@OPS.register
class BroadcastTo(Op):
    """``x`` broadcast to ``shape`` (NumPy's rules); the gradient sums ``dy`` back to ``x``'s shape.

    Shapes: x ``(D,)``, shape ``(N, D)`` → ``(N, D)``.
    """

    name = "broadcast_to"

    def __init__(self, shape):
        self.shape = int_tuple(shape, self.name, "shape")

    def get_config(self):
        return {"shape": list(self.shape)}

    def forward(self, xp, x):
        try:
            return xp.broadcast_to(x, self.shape), x.shape
        except ValueError:
            raise ShapeError(f"ops.broadcast_to: cannot broadcast shape {x.shape} to "
                             f"{self.shape}") from None

    def backward(self, xp, cache, dy):
        return (unbroadcast(xp, dy, cache),)


def broadcast_to(x, shape):
    """``x`` broadcast to ``shape`` (an int is ``(int,)``)."""
    return BroadcastTo(shape)(x)
