"""Joining and splitting arrays: ``concatenate``, ``stack`` and ``split``.

The gradient of a join cuts ``dy`` into the inputs' pieces; the gradient of ``split`` joins
the pieces' gradients (zeros for a piece that took none).
"""
from nnkit.errors import InvalidArgumentError, ShapeError
from nnkit.ops.arguments import axis_config, int_tuple, is_int
from nnkit.ops.op import OPS, Op, normalize_axis

__all__ = ["concatenate", "stack", "split"]


def check_same_shapes(arrays, op_name, skip=None):
    """Raises ``ShapeError`` unless ``arrays`` (at least one) share a shape (but axis ``skip``)."""
    if not arrays:
        raise InvalidArgumentError(f"ops.{op_name}: expected at least one array, received none")

    def kept(shape):
        return tuple(size for axis, size in enumerate(shape) if axis != skip)
    for x in arrays[1:]:
        if x.ndim != arrays[0].ndim or kept(x.shape) != kept(arrays[0].shape):
            but = "" if skip is None else f" except on axis {skip}"
            raise ShapeError(f"ops.{op_name}: every input must have shape {arrays[0].shape}{but}, "
                             f"received {x.shape}")


@OPS.register
class Concatenate(Op):
    """``xs`` joined along their existing ``axis``; each input's gradient is its slice of ``dy``.

    Shapes: xs ``(A..., K_i, B...)`` → ``(A..., sum K_i, B...)``.
    """

    name = "concatenate"

    def __init__(self, axis=0):
        if not is_int(axis):
            raise InvalidArgumentError(f"ops.concatenate: axis must be an int, received {axis!r}")
        self.axis = int(axis)

    def get_config(self):
        return {"axis": self.axis}

    def forward(self, xp, *xs):
        axis = normalize_axis(self.axis, xs[0].ndim if xs else 0, self.name)
        check_same_shapes(xs, self.name, skip=axis)
        ends = [0]
        for x in xs:
            ends.append(ends[-1] + x.shape[axis])
        return xp.concatenate(xs, axis=axis), (axis, ends[1:-1])

    def backward(self, xp, cache, dy):
        axis, ends = cache
        return tuple(xp.split(dy, ends, axis=axis))


def concatenate(xs, axis=0):
    """The arrays ``xs`` joined along the existing axis ``axis``."""
    return Concatenate(axis)(*xs)


@OPS.register
class Stack(Op):
    """``xs`` (one shape) stacked along a new ``axis``; input ``i``'s gradient is ``dy``'s slice i.

    Shapes: M arrays ``(A..., B...)`` → ``(A..., M, B...)``.
    """

    name = "stack"

    def __init__(self, axis=0):
        self.axis = axis

    def get_config(self):
        return {"axis": self.axis}

    def forward(self, xp, *xs):
        check_same_shapes(xs, self.name)
        axis = normalize_axis(self.axis, xs[0].ndim + 1, self.name)
        return xp.stack(xs, axis=axis), axis

    def backward(self, xp, cache, dy):
        return tuple(xp.moveaxis(dy, cache, 0))


def stack(x, axis=0):
    """The arrays ``x`` (one shape) stacked along a new axis ``axis``."""
    return Stack(axis)(*x)


@OPS.register
class Split(Op):
    """``x`` cut along ``axis`` into ``indices_or_sections`` equal pieces (an int) or at the
    sorted indices given; the gradient joins the pieces' gradients (zeros for unused pieces).

    Shapes: x ``(A..., K, B...)`` → pieces ``(A..., K_i, B...)`` with ``sum K_i = K``.
    """

    name = "split"
    multiple_outputs = True

    def __init__(self, indices_or_sections, axis=0):
        sections = int_tuple(indices_or_sections, self.name, "indices_or_sections")
        self.indices_or_sections = sections[0] if is_int(indices_or_sections) else sections
        self.axis = axis

    def get_config(self):
        return {"indices_or_sections": axis_config(self.indices_or_sections), "axis": self.axis}

    def forward(self, xp, x):
        axis = normalize_axis(self.axis, x.ndim, self.name)
        sections = self.indices_or_sections
        if isinstance(sections, int) and (sections < 1 or x.shape[axis] % sections):
            raise ShapeError(f"ops.split: axis {axis} of shape {x.shape} does not split into "
                             f"{sections} equal sections")
        pieces = xp.split(x, sections if isinstance(sections, int) else list(sections), axis=axis)
        return pieces, (axis, [piece.shape for piece in pieces], x.dtype)

    def backward(self, xp, cache, dys):
        axis, shapes, dtype = cache
        return (xp.concatenate([xp.zeros(shape, dtype) if dy is None else dy
                                for dy, shape in zip(dys, shapes)], axis=axis),)


def split(x, indices_or_sections, axis=0):
    """A list of pieces of ``x`` along ``axis`` (N equal pieces, or cut at the indices given)."""
    return Split(indices_or_sections, axis)(x)
