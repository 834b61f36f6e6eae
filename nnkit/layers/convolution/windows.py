"""Sliding windows over the spatial axes of a channels-last batch, shared by convolutions and pooling.

A window layer (Conv1D/2D, MaxPooling1D/2D, AveragePooling1D/2D) sees its input
as ``(N, H, W, C)``; the 1-D layers run on ``(N, 1, T, D)``. Padding follows
Keras/TensorFlow:

- ``"valid"``: no padding, ``out = ⌊(in − k_eff) / s⌋ + 1``;
- ``"same"``: ``out = ⌈in / s⌉``, the padding split with the odd element after;
- ``"causal"`` (1-D only): ``k_eff − 1`` zeros before, none after.

with ``k_eff = d·(k − 1) + 1`` for dilation ``d``. The windows are read as
``kh·kw`` strided slices of the padded input, one per kernel tap
(``tap_slices``): a Python loop over the kernel's taps, never over output
positions.
"""
from nnkit import validation
from nnkit.errors import ShapeError

PADDINGS_2D = ("valid", "same")
PADDINGS_1D = ("valid", "same", "causal")


def check_padding(where, padding, allowed):
    """``padding`` lower-cased (Keras takes "SAME"), one of ``allowed``."""
    return validation.one_of(where, "padding",
                             padding.lower() if isinstance(padding, str) else padding, allowed)


def padded_geometry(layer_name, spatial, kernel, strides, dilation, padding):
    """Per spatial axis ``(pad_before, pad_after, out_size)``; an axis of unknown size
    (None: a variable length, known only when a batch arrives) gives ``(None, None, None)``.

    Raises:
        ShapeError: a ``"valid"`` window larger than the input.
    """
    geometry = []
    for size, k, s, d in zip(spatial, kernel, strides, dilation):
        span = d * (k - 1) + 1
        if size is None:
            geometry.append((None, None, None))
        elif padding == "valid":
            if span > size:
                raise ShapeError(f"layer '{layer_name}': the window spans {span} steps "
                                 f"(kernel {k}, dilation {d}) but the input has only {size} "
                                 f"along that axis (padding 'valid'); input spatial shape "
                                 f"{tuple(spatial)}")
            geometry.append((0, 0, (size - span) // s + 1))
        elif padding == "causal":
            geometry.append((span - 1, 0, (size - 1) // s + 1))
        else:
            out = -(-size // s)
            total = max((out - 1) * s + span - size, 0)
            geometry.append((total // 2, total - total // 2, out))
    return geometry


def pad(xp, x, geometry, value=0.0):
    """``(N, H, W, C)`` padded on H and W by ``geometry`` with ``value``."""
    widths = [(0, 0)] + [(before, after) for before, after, _ in geometry] + [(0, 0)]
    if not any(before or after for before, after in widths):
        return x
    return xp.pad(x, widths, mode="constant", constant_values=value)


def tap_slices(kernel, strides, dilation, out_shape):
    """For each kernel tap ``(i, j)``, the ``(N, Ho, Wo, C)`` slice of the padded input it reads."""
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, strides, dilation, out_shape
    for i in range(kh):
        for j in range(kw):
            yield (slice(None), slice(i * dh, i * dh + (ho - 1) * sh + 1, sh),
                   slice(j * dw, j * dw + (wo - 1) * sw + 1, sw), slice(None))


def gather_windows(xp, padded, kernel, strides, dilation, out_shape):
    """``(N, Ho, Wo, kh·kw, C)``: every window of the padded input (``window_matrix``'s rows)."""
    matrix = window_matrix(xp, padded, kernel, strides, dilation, out_shape, False)
    return matrix.reshape((padded.shape[0],) + tuple(out_shape) + (kernel[0] * kernel[1],
                                                                   padded.shape[3]))


def window_matrix(xp, padded, kernel, strides, dilation, out_shape, ones_column):
    """``(N·Ho·Wo, kh·kw·C [+ 1])``: each window as a row (im2col), taps in row-major order.

    With ``ones_column`` a last column of ones is appended, so a product with
    ``[kernel; bias]`` adds the bias in the same GEMM (no pass over the output).
    """
    n, channels = padded.shape[0], padded.shape[3]
    taps = kernel[0] * kernel[1]
    rows = n * out_shape[0] * out_shape[1]
    matrix = xp.empty((rows, taps * channels + int(ones_column)), padded.dtype)
    for tap, index in enumerate(tap_slices(kernel, strides, dilation, out_shape)):
        block = matrix[:, tap * channels:(tap + 1) * channels]
        block.reshape((n,) + tuple(out_shape) + (channels,))[...] = padded[index]
    if ones_column:
        matrix[:, -1] = 1.0
    return matrix


def scatter_windows(xp, d_windows, padded_shape, kernel, strides, dilation):
    """The inverse of ``gather_windows`` for gradients: sums ``(N, Ho, Wo, kh·kw, C)`` into the padded input."""
    out = xp.zeros(padded_shape, d_windows.dtype)
    out_shape = d_windows.shape[1:3]
    for tap, index in enumerate(tap_slices(kernel, strides, dilation, out_shape)):
        out[index] += d_windows[:, :, :, tap, :]
    return out


def crop(x, geometry):
    """Remove the padding ``geometry`` added on H and W."""
    (top, bottom, _), (left, right, _) = geometry
    return x[:, top:x.shape[1] - bottom, left:x.shape[2] - right, :]

