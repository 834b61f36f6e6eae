"""Gathers: ``take``, ``take_along_axis``, ``x[key]`` (``get_item``), ``repeat`` and ``tile``.

Each output element is a copy of one input element, so every input element receives the sum
of ``dy`` over its copies (``gather_gradient``; repeated indices add up).
"""
import math

from nnkit.errors import DTypeError, InvalidArgumentError
from nnkit.ops.arguments import axis_config, int_tuple, is_int
from nnkit.ops.op import OPS, Op, normalize_axis

__all__ = ["take", "take_along_axis", "get_item", "repeat", "tile"]


def gather_gradient(xp, gather, shape, dy):
    """The gradient of ``y = gather(x)`` for any gather (``take``, ``repeat``, ``x[key]``, ...).

    ``x``'s element ``i`` receives the sum of ``dy`` over the places it was copied to. The
    flat positions of ``x`` (``arange``) are gathered the same way, and ``dy`` is counted
    into them with a weighted ``bincount`` (one pass; NumPy's ``add.at`` done on NumPy and
    CuPy alike).

    Shapes: ``shape`` of x; dy the shape of ``gather(x)``. Returns dx ``shape``.
    """
    size = math.prod(shape)
    positions = gather(xp.arange(size).reshape(shape))
    counted = xp.bincount(positions.reshape(-1), weights=dy.reshape(-1), minlength=size)
    return counted.astype(dy.dtype, copy=False).reshape(shape)


class Gather(Op):
    """Base of the ops whose output elements are copies of input elements (``gather_gradient``).
    A subclass writes ``gatherer(xp, x, *indices)``: the gather, as a function of an array
    shaped like ``x``; integer ``indices`` inputs take no gradient."""

    def forward(self, xp, x, *indices):
        for index in indices:
            if index.dtype.kind not in "iu":
                raise DTypeError(f"ops.{self.name}: indices must be integers, received "
                                 f"{index.dtype}")
        gather = self.gatherer(xp, x, *indices)
        try:
            y = gather(x)
        except IndexError as error:
            raise InvalidArgumentError(f"ops.{self.name}: cannot index an array of shape "
                                       f"{x.shape} ({error})") from None
        return y, (gather, x.shape, len(indices))

    def backward(self, xp, cache, dy):
        gather, shape, index_count = cache
        return (gather_gradient(xp, gather, shape, dy),) + (None,) * index_count


class AlongAxis(Gather):
    """A gather along ``axis`` (None: along the flattened input)."""

    def __init__(self, axis=None):
        self.axis = axis

    def get_config(self):
        return {"axis": self.axis}


@OPS.register
class Take(AlongAxis):
    """``x``'s slices at integer ``indices`` along ``axis`` (elements of the flat ``x`` when None).

    Shapes: x ``(A..., K, B...)``, indices ``I`` → ``(A..., *I, B...)`` (``I`` when axis is None),
    e.g. an embedding table ``(V, E)`` and ids ``(N, T)`` → ``(N, T, E)`` with axis 0.
    """

    name = "take"

    def gatherer(self, xp, x, indices):
        axis = normalize_axis(self.axis, x.ndim, self.name)
        return lambda source: xp.take(source, indices, axis=axis)


def take(x, indices, axis=None):
    """``x``'s entries at integer ``indices`` along ``axis`` (of the flattened ``x`` when None)."""
    return Take(axis)(x, indices)


@OPS.register
class TakeAlongAxis(AlongAxis):
    """``y[..., i, ...] = x[..., indices[..., i, ...], ...]`` along ``axis`` (flat ``x`` when None).

    Shapes: x ``(A..., K, B...)``, indices ``(A..., J, B...)`` (broadcast) → ``(A..., J, B...)``.
    """

    name = "take_along_axis"

    def gatherer(self, xp, x, indices):
        axis = normalize_axis(self.axis, x.ndim, self.name)
        return lambda source: xp.take_along_axis(source, indices, axis=axis)


def take_along_axis(x, indices, axis=None):
    """``x``'s entries at ``indices`` (as many axes as ``x``) along ``axis``."""
    return TakeAlongAxis(axis)(x, indices)


@OPS.register
class Repeat(Gather):
    """Each entry of ``x`` repeated ``repeats`` times (an int, or one count per entry) along
    ``axis`` (along the flattened ``x`` when None).

    Shapes: x ``(A..., K, B...)`` → ``(A..., K * repeats, B...)`` (or ``sum(repeats)``).
    """

    name = "repeat"

    def __init__(self, repeats, axis=None):
        counts = int_tuple(repeats, self.name, "repeats")
        self.repeats = counts[0] if is_int(repeats) else counts
        self.axis = axis

    def get_config(self):
        return {"repeats": axis_config(self.repeats), "axis": self.axis}

    def gatherer(self, xp, x):
        axis = normalize_axis(self.axis, x.ndim, self.name)
        repeats = self.repeats if isinstance(self.repeats, int) else list(self.repeats)
        return lambda source: xp.repeat(source, repeats, axis=axis)


def repeat(x, repeats, axis=None):
    """``x`` with each entry repeated ``repeats`` times along ``axis`` (flattened when None)."""
    return Repeat(repeats, axis)(x)


@OPS.register
class Tile(Gather):
    """``x`` laid out ``repeats`` times along each axis (NumPy's ``tile``; ``repeats`` is
    aligned to the last axes, and ``x`` gains leading axes when ``repeats`` is longer).

    Shapes: x ``(D,)``, repeats ``(M, R)`` → ``(M, R * D)``.
    """

    name = "tile"

    def __init__(self, repeats):
        self.repeats = int_tuple(repeats, self.name, "repeats")

    def get_config(self):
        return {"repeats": list(self.repeats)}

    def gatherer(self, xp, x):
        return lambda source: xp.tile(source, self.repeats)


def tile(x, repeats):
    """``x`` repeated ``repeats`` times along each axis."""
    return Tile(repeats)(x)


def key_part(part):
    """One entry of ``x[key]``'s key in JSON-able form: an int, a slice, None, Ellipsis, or an
    integer array as a nested list.

    Raises:
        InvalidArgumentError: a bool, a float, a symbolic tensor, a slice of non-ints.
    """
    if part is None or part is Ellipsis:
        return part
    if is_int(part):
        return int(part)
    if isinstance(part, slice):
        bounds = (part.start, part.stop, part.step)
        if all(bound is None or is_int(bound) for bound in bounds):
            return slice(*(None if bound is None else int(bound) for bound in bounds))
    else:
        values = part.tolist() if hasattr(part, "tolist") else part
        if is_index_list(values):
            return values
    raise InvalidArgumentError(f"ops.get_item: key entries must be ints, slices, None, Ellipsis "
                               f"or integer arrays, received {part!r}")


def is_index_list(values):
    """A (nested) list of ints."""
    return isinstance(values, list) and all(
        is_index_list(value) if isinstance(value, list) else is_int(value) for value in values)


@OPS.register
class GetItem(Gather):
    """``x[key]``: NumPy's indexing with ints, slices (negative steps too), None (new axis),
    Ellipsis and integer arrays; the gradient puts ``dy`` back where it was read (summed where
    an integer array reads an element twice).

    ``key`` is kept JSON-able: ``get_config`` writes a slice as ``{"start", "stop", "step"}``,
    Ellipsis as ``"..."`` and an integer array as a nested list.

    Shapes: x ``(N, T, D)``, key ``(slice(None), -1)`` → ``(N, D)``.
    """

    name = "get_item"

    def __init__(self, key):
        self.key = tuple(key_part(part) for part in (key if isinstance(key, tuple) else (key,)))
        self.reads_arrays = any(isinstance(part, list) for part in self.key)

    def get_config(self):
        return {"key": [{"start": part.start, "stop": part.stop, "step": part.step}
                        if isinstance(part, slice) else "..." if part is Ellipsis else part
                        for part in self.key]}

    @classmethod
    def from_config(cls, config):
        return cls(tuple(slice(part["start"], part["stop"], part["step"])
                         if isinstance(part, dict) else Ellipsis if part == "..." else part
                         for part in config["key"]))

    def gatherer(self, xp, x):
        key = tuple(xp.asarray(part, dtype="int64") if isinstance(part, list) else part
                    for part in self.key)
        return lambda source: source[key]

    def backward(self, xp, cache, dy):
        if self.reads_arrays:
            return super().backward(xp, cache, dy)
        dx = xp.zeros(cache[1], dy.dtype)
        dx[self.key] = dy
        return (dx,)


def get_item(x, key):
    """``x[key]`` (Keras's ``ops.get_item``; what ``tensor[key]`` records on symbolic tensors)."""
    return GetItem(key)(x)
