"""Local max and average pooling over windows, 1-D ``(N, T, D)`` and 2-D ``(N, H, W, C)``."""
from nnkit import validation
from nnkit.layers.base import Layer
from nnkit.layers.convolution import windows
from nnkit.layers.data_format import ChannelsFirst
from nnkit.registry import register_layer


class _Pooling(Layer):
    """Pool each window of every channel on the 2-D view ``(N, H, W, C)``.

    The concrete classes derive from ``ChannelsFirst`` first, so that it wraps
    this class's channels-last forward and backward.

    Args:
        pool_size: window size per spatial axis.
        strides: step between windows (default: ``pool_size``, as Keras).
        padding: "valid" or "same". With "same", max pooling never picks a
            padded entry and average pooling divides by the number of real
            entries in the window (TensorFlow's rule).
        data_format: "channels_last", "channels_first" or None (see
            ``nnkit.layers.data_format``).
    """

    fixed_input_axes = ()
    rank = 2

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.set_data_format(data_format)
        self.pool_size = validation.integers(self.where, "pool_size", pool_size, self.rank)
        self.strides = self.pool_size if strides is None else \
            validation.integers(self.where, "strides", strides, self.rank)
        self.padding = windows.check_padding(self.where, padding, windows.PADDINGS_2D)

    # the 1-D layers run on (N, 1, T, D)
    def to_2d(self, x):
        return x[:, None] if self.rank == 1 else x

    def from_2d(self, y):
        return y[:, 0] if self.rank == 1 else y

    def _view_args(self):
        lead = (1,) * (2 - self.rank)
        return lead + self.pool_size, lead + self.strides, (1, 1)

    def _geometry(self, spatial):
        pool, strides, dilation = self._view_args()
        return windows.padded_geometry(self.name, spatial, pool, strides, dilation, self.padding)

    def example_output_shape(self, input_shape):
        spatial = tuple(input_shape[:-1])
        spatial_2d = (1,) + spatial if self.rank == 1 else spatial
        out = tuple(size for _, _, size in self._geometry(spatial_2d))
        return out[2 - self.rank:] + (input_shape[-1],)

    def forward(self, x, training=False, mask=None):
        x2 = self.to_2d(x)
        geometry = self._geometry(x2.shape[1:3])
        pool, strides, dilation = self._view_args()
        out_shape = tuple(size for _, _, size in geometry)
        y, cache = self.pool(x2, geometry, pool, strides, out_shape)
        if training:
            self._cache = cache + (x2.shape, geometry)
        return self.from_2d(y)

    def backward(self, dy):
        *cache, padded_shape, geometry = self._cache
        self._cache = None
        xp = self.xp
        pool, strides, dilation = self._view_args()
        d_windows = self.window_grads(self.to_2d(dy), *cache)
        d_padded = windows.scatter_windows(xp, d_windows,
                                           self._padded_shape(padded_shape, geometry),
                                           pool, strides, dilation)
        return self.from_2d(windows.crop(d_padded, geometry))

    @staticmethod
    def _padded_shape(shape, geometry):
        (top, bottom, _), (left, right, _) = geometry
        return (shape[0], shape[1] + top + bottom, shape[2] + left + right, shape[3])

    def pool(self, x2, geometry, pool, strides, out_shape):
        """``(y, cache)`` for the 2-D view."""
        raise NotImplementedError

    def window_grads(self, dy, *cache):
        """``(N, Ho, Wo, P, C)`` gradient of every window entry."""
        raise NotImplementedError

    def get_config(self):
        return {**super().get_config(), "pool_size": list(self.pool_size),
                "strides": list(self.strides), "padding": self.padding}


class _MaxPooling(_Pooling):
    """Maximum of each window; the gradient goes to the first maximal entry."""

    def pool(self, x2, geometry, pool, strides, out_shape):
        xp = self.xp
        padded = windows.pad(xp, x2, geometry, value=-xp.inf)
        stacked = windows.gather_windows(xp, padded, pool, strides, (1, 1), out_shape)
        winner = stacked.argmax(axis=3)                                   # (N, Ho, Wo, C)
        y = xp.take_along_axis(stacked, winner[:, :, :, None, :], axis=3)[:, :, :, 0, :]
        return y, (winner, stacked.shape[3])

    def window_grads(self, dy, winner, taps):
        chosen = self.xp.arange(taps)[None, None, None, :, None] == winner[:, :, :, None, :]
        return chosen * dy[:, :, :, None, :]


class _AveragePooling(_Pooling):
    """Mean of the real (unpadded) entries of each window."""

    def pool(self, x2, geometry, pool, strides, out_shape):
        xp = self.xp
        stacked = windows.gather_windows(xp, windows.pad(xp, x2, geometry), pool, strides,
                                         (1, 1), out_shape)
        ones = windows.pad(xp, xp.ones((1,) + tuple(x2.shape[1:3]) + (1,), x2.dtype), geometry)
        counts = windows.gather_windows(xp, ones, pool, strides, (1, 1), out_shape).sum(axis=3)
        y = stacked.sum(axis=3) / counts                                  # counts (1, Ho, Wo, 1)
        return y, (counts, stacked.shape[3])

    def window_grads(self, dy, counts, taps):
        share = dy / counts
        return self.xp.broadcast_to(share[:, :, :, None, :], share.shape[:3] + (taps,)
                                    + share.shape[3:])


_1D_DOC = """
    Args:
        pool_size: window length (default 2).
        strides: step between windows (default: ``pool_size``).
        padding: "valid" or "same".
        data_format: "channels_last", "channels_first" or None.

    Shapes:
        x: ``(N, T, D)``; y: ``(N, To, D)`` (channels first: ``(N, D, T)``,
        ``(N, D, To)``). A mask is refused.
"""
_2D_DOC = """
    Args:
        pool_size: ``p`` or ``(ph, pw)`` (default ``(2, 2)``).
        strides: step between windows (default: ``pool_size``).
        padding: "valid" or "same".
        data_format: "channels_last", "channels_first" or None.

    Shapes:
        x: ``(N, H, W, C)``; y: ``(N, Ho, Wo, C)`` (channels first: ``(N, C, H, W)``,
        ``(N, C, Ho, Wo)``).
"""


@register_layer
class MaxPooling1D(ChannelsFirst, _MaxPooling):
    __doc__ = "Keras's ``MaxPooling1D``: the maximum of each window over time.\n" + _1D_DOC
    rank = 1
    input_ranks = (3,)

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


@register_layer
class AveragePooling1D(ChannelsFirst, _AveragePooling):
    __doc__ = "Keras's ``AveragePooling1D``: the mean of each window over time.\n" + _1D_DOC
    rank = 1
    input_ranks = (3,)

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


@register_layer
class MaxPooling2D(ChannelsFirst, _MaxPooling):
    __doc__ = "Keras's ``MaxPooling2D``: the maximum of each window per channel.\n" + _2D_DOC
    input_ranks = (4,)

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


@register_layer
class AveragePooling2D(ChannelsFirst, _AveragePooling):
    __doc__ = "Keras's ``AveragePooling2D``: the mean of each window per channel.\n" + _2D_DOC
    input_ranks = (4,)

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)
