"""BatchNormalization: standardise each channel over the batch (Ioffe & Szegedy)."""
from nnkit import config, validation
from nnkit.errors import InvalidArgumentError, ShapeError, describe
from nnkit.layers.base import Layer
from nnkit.layers.normalization.layer_normalization import feature_axes
from nnkit.layers.normalization.standardize import moments, standardize, standardize_backward
from nnkit.registry import register_layer


@register_layer
class BatchNormalization(Layer):
    """Keras's ``BatchNormalization`` over one channel axis.

    Training: ``μ``, ``σ²`` (biased) of each channel over every other axis
    (batch, time, space), and ``moving = momentum·moving + (1 − momentum)·batch``
    for both. Inference: the moving statistics. On a masked ``(N, T, D)``
    input the statistics use the valid steps only (Keras 3); the mask passes
    through.

    Args:
        axis: the channel axis (default -1).
        momentum: of the moving statistics, in [0, 1] (default 0.99).
        epsilon: added to the variance, >= 0 (default 1e-3).
        center: learn β; scale: learn γ.

    Shapes:
        x, y: ``(N, ..., C)``; gamma, beta, moving_mean, moving_variance: ``(C,)``,
        in Keras's weight order (the moving statistics are not trainable).

    Example:
        >>> BatchNormalization()(np.ones((4, 3)), training=True).shape
        (4, 3)
    """

    supports_masking = True

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise InvalidArgumentError(f"{self.where}: axis must be one integer, received "
                                       f"{axis!r}")
        self.axis = axis
        self.momentum = validation.real(self.where, "momentum", momentum, 0.0, 1.0)
        self.epsilon = validation.non_negative(self.where, "epsilon", epsilon)
        self.center = validation.flag(self.where, "center", center)
        self.scale = validation.flag(self.where, "scale", scale)
        self._axis = None

    def build(self, input_shape):
        rank = len(input_shape) + 1
        (self._axis,) = feature_axes(self.name, self.axis, rank)
        self.fixed_input_axes = (self._axis - rank,)
        channels = (input_shape[self._axis - 1],)
        if self.scale:
            self.add_weight("gamma", channels, "ones")
        if self.center:
            self.add_weight("beta", channels, "zeros")
        self.add_weight("moving_mean", channels, "zeros", trainable=False)
        self.add_weight("moving_variance", channels, "ones", trainable=False)
        super().build(input_shape)

    def _channel(self, value, rank):
        return value.reshape([-1 if a == self._axis else 1 for a in range(rank)])

    def _step_weights(self, x, mask):
        """``(N, T, 1)`` weights of the valid steps, summing to 1, or None without a mask."""
        if mask is None:
            return None
        if x.ndim != 3 or self._axis != 2:
            raise ShapeError(f"layer '{self.name}' (BatchNormalization): a mask needs an "
                             f"(N, T, C) input normalised over its last axis, received "
                             f"{describe(x)} with axis={self.axis}")
        steps = mask.astype(config.floatx())
        return (steps / max(float(steps.sum()), 1.0))[:, :, None]

    def forward(self, x, training=False, mask=None):
        xp, rank = self.xp, x.ndim
        axes = tuple(a for a in range(rank) if a != self._axis)
        if training:
            weights = self._step_weights(x, mask)
            mean, variance = moments(x, axes, weights)
            for key, batch in (("moving_mean", mean), ("moving_variance", variance)):
                moving = self.params[key]
                moving *= self.momentum
                moving += (1.0 - self.momentum) * batch.reshape(-1)
        else:
            mean = self._channel(self.params["moving_mean"], rank)
            variance = self._channel(self.params["moving_variance"], rank)
        x_hat, inv = standardize(xp, x, mean, variance, self.epsilon)
        y = x_hat
        if self.scale:
            y = y * self._channel(self.params["gamma"], rank)
        if self.center:
            y = y + self._channel(self.params["beta"], rank)
        if training:
            self._cache = (x_hat, inv, weights)
        return y

    def backward(self, dy):
        (x_hat, inv, weights), self._cache = self._cache, None
        axes = tuple(a for a in range(dy.ndim) if a != self._axis)
        if self.center:
            self.grads["beta"] += dy.sum(axis=axes)
        g = dy
        if self.scale:
            self.grads["gamma"] += (dy * x_hat).sum(axis=axes)
            g = dy * self._channel(self.params["gamma"], dy.ndim)
        count = dy.size // dy.shape[self._axis]
        return standardize_backward(g, x_hat, inv, axes, weights, count)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum,
                "epsilon": self.epsilon, "center": self.center, "scale": self.scale}
