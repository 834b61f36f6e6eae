"""``pad``: constant values added before and after each axis; the gradient is ``dy``'s middle."""
from nnkit.errors import InvalidArgumentError, ShapeError
from nnkit.ops.arguments import int_tuple, is_int
from nnkit.ops.op import OPS, Op

__all__ = ["pad"]


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
