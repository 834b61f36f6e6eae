"""Ops that reorder the elements: ``transpose``, ``swapaxes`` and ``moveaxis`` permute the
axes (``dx = dy.transpose(p⁻¹)``); ``flip`` reverses the entries (``dx`` is ``dy`` reversed
the same way).
"""
from nnkit.errors import InvalidArgumentError
from nnkit.ops.arguments import axis_argument, axis_config, int_tuple
from nnkit.ops.op import OPS, Op, normalize_axis

__all__ = ["transpose", "swapaxes", "moveaxis", "flip"]


class Permutation(Op):
    """Base of the ops that permute axes: ``y = x.transpose(p)``, ``dx = dy.transpose(p⁻¹)``.
    A subclass writes ``permutation(ndim)``."""

    def forward(self, xp, x):
        order = self.permutation(x.ndim)
        return x.transpose(order), order

    def backward(self, xp, cache, dy):
        return (dy.transpose(sorted(range(len(cache)), key=cache.__getitem__)),)


@OPS.register
class Transpose(Permutation):
    """``x`` with its axes in the order ``axes`` (default: reversed)."""

    name = "transpose"

    def __init__(self, axes=None):
        self.axes = None if axes is None else int_tuple(axes, "transpose", "axes")

    def get_config(self):
        return {"axes": None if self.axes is None else list(self.axes)}

    def permutation(self, ndim):
        if self.axes is None:
            return tuple(reversed(range(ndim)))
        order = normalize_axis(self.axes, ndim, self.name)
        if sorted(order) != list(range(ndim)):
            raise InvalidArgumentError(f"ops.transpose: axes must be a permutation of "
                                       f"range({ndim}), received {self.axes!r}")
        return order


def transpose(x, axes=None):
    """``x`` with permuted axes (reversed when ``axes`` is None)."""
    return Transpose(axes)(x)


@OPS.register
class Swapaxes(Permutation):
    """``x`` with axes ``axis1`` and ``axis2`` exchanged."""

    name = "swapaxes"

    def __init__(self, axis1, axis2):
        self.axis1, self.axis2 = axis1, axis2

    def get_config(self):
        return {"axis1": self.axis1, "axis2": self.axis2}

    def permutation(self, ndim):
        first, second = normalize_axis((self.axis1, self.axis2), ndim, self.name)
        order = list(range(ndim))
        order[first], order[second] = second, first
        return tuple(order)


def swapaxes(x, axis1, axis2):
    """``x`` with two axes exchanged."""
    return Swapaxes(axis1, axis2)(x)


@OPS.register
class Moveaxis(Permutation):
    """``x`` with axes ``source`` moved to positions ``destination``, the others in order."""

    name = "moveaxis"

    def __init__(self, source, destination):
        self.source = int_tuple(source, "moveaxis", "source")
        self.destination = int_tuple(destination, "moveaxis", "destination")
        if len(self.source) != len(self.destination):
            raise InvalidArgumentError(f"ops.moveaxis: source and destination must have the same "
                                       f"length, received {source!r} and {destination!r}")

    def get_config(self):
        return {"source": list(self.source), "destination": list(self.destination)}

    def permutation(self, ndim):
        source = normalize_axis(self.source, ndim, self.name)
        destination = normalize_axis(self.destination, ndim, self.name)
        order = [axis for axis in range(ndim) if axis not in source]
        for place, axis in sorted(zip(destination, source)):
            order.insert(place, axis)
        return tuple(order)


def moveaxis(x, source, destination):
    """``x`` with axes moved from ``source`` to ``destination`` (ints or sequences)."""
    return Moveaxis(source, destination)(x)


@OPS.register
class Flip(Op):
    """``x`` reversed along ``axis`` (every axis when None); so is the gradient."""

    name = "flip"

    def __init__(self, axis=None):
        self.axis = None if axis is None else axis_argument(axis, self.name)

    def get_config(self):
        return {"axis": axis_config(self.axis)}

    def forward(self, xp, x):
        axis = normalize_axis(self.axis, x.ndim, self.name)
        return xp.flip(x, axis=axis), axis

    def backward(self, xp, cache, dy):
        return (xp.flip(dy, axis=cache),)


def flip(x, axis=None):
    """``x`` with the order of its entries reversed along ``axis`` (all axes when None)."""
    return Flip(axis)(x)
