"""``argmax`` and ``argmin``: the int32 index of the largest or smallest element along an axis
(no gradient)."""
from nnkit.errors import InvalidArgumentError
from nnkit.ops.op import OPS, Op, normalize_axis

__all__ = ["argmax", "argmin"]


class ArgExtreme(Op):
    """``argmax`` or ``argmin`` over one ``axis`` (None: of the flattened array): int32
    indices, no gradient. As Keras, ``-0.0`` counts as smaller than ``0.0``."""

    differentiable = False

    def __init__(self, axis=None, keepdims=False):
        if axis is not None and (isinstance(axis, bool) or not isinstance(axis, int)):
            raise InvalidArgumentError(f"ops.{self.name}: expected an int or None for axis, "
                                       f"received {axis!r}")
        self.axis, self.keepdims = axis, bool(keepdims)

    def get_config(self):
        return {"axis": self.axis, "keepdims": self.keepdims}

    def forward(self, xp, x):
        axis = normalize_axis(self.axis, x.ndim, self.name)
        if x.dtype.kind == "f":
            x = xp.where((x == 0) & xp.signbit(x), -xp.finfo(x.dtype).tiny, x)
        index = getattr(xp, self.name)(x, axis=axis, keepdims=self.keepdims)
        return xp.asarray(index, dtype="int32"), None

    def backward(self, xp, cache, dy):
        return (None,)


@OPS.register
class Argmax(ArgExtreme):
    """The index of the largest element (the first among ties)."""

    name = "argmax"


@OPS.register
class Argmin(ArgExtreme):
    """The index of the smallest element (the first among ties)."""

    name = "argmin"


def argmax(x, axis=None, keepdims=False):
    """The int32 index of the largest element of ``x`` along ``axis``."""
    return Argmax(axis, keepdims)(x)


def argmin(x, axis=None, keepdims=False):
    """The int32 index of the smallest element of ``x`` along ``axis``."""
    return Argmin(axis, keepdims)(x)
