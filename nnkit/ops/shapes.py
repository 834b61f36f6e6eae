"""Shape ops: ``reshape``, ``transpose``, ``concatenate``, ``split``, ``take``, ``x[...]``, ...

Three kinds of gradient cover them all:

- the same elements in a new shape (``reshape``, ``expand_dims``, ``squeeze``, ``ravel``):
  ``dy`` reshaped back to ``x``'s shape;
- the same elements in permuted axes (``transpose``, ``swapaxes``, ``moveaxis``): ``dy``
  transposed by the inverse permutation;
- a gather, each output element a copy of one input element (``take``,
  ``take_along_axis``, ``x[key]``, ``repeat``, ``tile``): every input element receives the
  sum of ``dy`` over its copies (``gather_gradient``; repeated indices add up).
"""
import math

from nnkit.errors import DTypeError, InvalidArgumentError, ShapeError
from nnkit.ops.op import OPS, Op, normalize_axis, unbroadcast

__all__ = ["reshape", "expand_dims", "squeeze", "ravel", "transpose", "swapaxes", "moveaxis",
           "concatenate", "stack", "split", "take", "take_along_axis", "get_item", "repeat",
           "tile", "pad", "flip", "broadcast_to"]


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


def is_int(value):
    """A Python int or an integer scalar of NumPy or CuPy, not a bool."""
    if isinstance(value, bool):
        return False
    dtype = getattr(value, "dtype", None)
    return isinstance(value, int) or dtype is not None and dtype.kind in "iu" and value.ndim == 0


def int_tuple(value, op_name, argument):
    """``value`` (an int or a sequence of ints) as a tuple of ints.

    Raises:
        InvalidArgumentError: anything else.
    """
    values = (value,) if is_int(value) else value
    try:
        values = tuple(values)
    except TypeError:
        values = (None,)
    if not all(is_int(entry) for entry in values):
        raise InvalidArgumentError(f"ops.{op_name}: {argument} must be an int or a sequence of "
                                   f"ints, received {value!r}")
    return tuple(int(entry) for entry in values)


def axis_argument(axis, op_name):
    """``axis`` as given (an int), or a tuple of ints for a sequence (checked)."""
    values = int_tuple(axis, op_name, "axis")
    return values[0] if is_int(axis) else values


def axis_config(axis):
    """``axis`` (None, an int or a tuple) as JSON."""
    return list(axis) if isinstance(axis, tuple) else axis


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


def pad_pairs(pad_width):
    """Keras's ``pad_width`` as a tuple of ``(before, after)`` pairs; one pair means every axis.

    Forms: ``p``, ``(p,)``, ``(before, after)`` and ``((before, after),)`` for every axis;
    ``((before_1, after_1), ..., (before_n, after_n))`` per axis; a pair ``(p,)`` is ``(p, p)``.

    Raises:
        InvalidArgumentError: another form, or a negative width.
    """
    try:
        entries = [pad_width] if is_int(pad_width) or all(map(is_int, pad_width)) else pad_width
    except TypeError:
        entries = [pad_width]
    pairs = tuple(int_tuple(pair, "pad", "pad_width") for pair in entries)
    if not all(len(pair) in (1, 2) and min(pair) >= 0 for pair in pairs):
        raise InvalidArgumentError(f"ops.pad: pad_width must be widths >= 0 in pairs (before, "
                                   f"after), received {pad_width!r}")
    return tuple((pair[0], pair[-1]) for pair in pairs)


@OPS.register
class Pad(Op):
    """``x`` with ``constant_values`` (default 0) added before and after each axis; the gradient
    is ``dy``'s middle, where ``x`` sits. Only ``mode="constant"`` (Keras's other modes are
    refused by name).

    Shapes: x ``(N, T, D)``, pad_width ``((0, 0), (2, 1), (0, 0))`` → ``(N, T + 3, D)``.
    """

    name = "pad"

    def __init__(self, pad_width, mode="constant", constant_values=None):
        if mode != "constant":
            raise InvalidArgumentError(f"ops.pad: mode {mode!r} is not supported by nnkit "
                                       f"(only 'constant')")
        if constant_values is not None and not is_int(constant_values) and \
                not isinstance(constant_values, float):
            raise InvalidArgumentError(f"ops.pad: constant_values must be a number, received "
                                       f"{constant_values!r}")
        self.pad_width = pad_pairs(pad_width)
        self.mode = mode
        self.constant_values = constant_values if constant_values is None or \
            isinstance(constant_values, float) else int(constant_values)

    def get_config(self):
        return {"pad_width": [list(pair) for pair in self.pad_width], "mode": self.mode,
                "constant_values": self.constant_values}

    def forward(self, xp, x):
        pairs = self.pad_width * x.ndim if len(self.pad_width) == 1 else self.pad_width
        if len(pairs) != x.ndim:
            raise ShapeError(f"ops.pad: pad_width has {len(pairs)} pairs, expected one per axis "
                             f"of shape {x.shape}")
        y = xp.pad(x, pairs, mode="constant", constant_values=self.constant_values or 0)
        return y, tuple(slice(before, before + size) for (before, _), size in zip(pairs, x.shape))

    def backward(self, xp, cache, dy):
        return (dy[cache],)


def pad(x, pad_width, mode="constant", constant_values=None):
    """``x`` padded with ``constant_values`` (default 0); only ``mode="constant"``."""
    return Pad(pad_width, mode, constant_values)(x)


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
