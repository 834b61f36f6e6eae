"""LayerNormalization: standardise each example over its feature axes (Ba, Kiros & Hinton)."""
from nnkit import validation
from nnkit.backend import get_backend
from nnkit.errors import InvalidArgumentError
from nnkit.layers.base import Layer
from nnkit.layers.normalization.standardize import moments, standardize, standardize_backward
from nnkit.registry import register_layer


def feature_axes(layer_name, axis, rank):
    """``axis`` (an int or ints, negative allowed, not the batch axis) as sorted positive axes."""
    axes = [axis] if isinstance(axis, int) else list(axis)
    positive = sorted({a % rank for a in axes if isinstance(a, int) and -rank <= a < rank})
    if not axes or len(positive) != len(axes) or 0 in positive:
        raise InvalidArgumentError(f"layer '{layer_name}': axis must name non-batch axes of an "
                                   f"input of rank {rank}, received {axis!r}")
    return positive


@register_layer
class LayerNormalization(Layer):
    """Keras's ``LayerNormalization``: ``y = γ ⊙ (x − μ)/√(σ² + ε) + β`` per example.

    ``μ`` and ``σ²`` (biased) are taken over ``axis`` of each example (and
    each step of a sequence); the mask passes through unchanged. Over the last axis
    alone, the backend's ``layer_norm`` kernels compute it where it has them.

    Args:
        axis: the axis (or axes) normalised and holding γ and β (default -1).
        epsilon: added to the variance (default 1e-3, as Keras); >= 0 (Keras also takes
            a negative one, which gives NaN).
        center: learn β; scale: learn γ.

    Shapes:
        x, y: ``(N, ..., D)``; gamma, beta: the sizes of ``axis`` (``(D,)`` by default).

    Example:
        >>> LayerNormalization()(np.ones((2, 5, 3))).shape
        (2, 5, 3)
    """

    supports_masking = True

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, **kwargs):
        super().__init__(**kwargs)
        axes = validation.integers(self.where, "axis", axis, low=None)
        self.axis = list(axes) if isinstance(axis, (list, tuple)) else axes[0]
        self.epsilon = validation.non_negative(self.where, "epsilon", epsilon)
        self.center = validation.flag(self.where, "center", center)
        self.scale = validation.flag(self.where, "scale", scale)
        self._axes = None

    def build(self, input_shape):
        rank = len(input_shape) + 1
        self._axes = feature_axes(self.name, self.axis, rank)
        shape = tuple(input_shape[a - 1] for a in self._axes)
        self.fixed_input_axes = tuple(a - rank for a in self._axes)
        if self.scale:
            self.add_weight("gamma", shape, "ones")
        if self.center:
            self.add_weight("beta", shape, "zeros")
        super().build(input_shape)

    def _broadcast(self, value, rank):
        """A ``shape(axis)`` parameter reshaped to broadcast against an input of ``rank``."""
        return value.reshape([value.shape[self._axes.index(a)] if a in self._axes else 1
                              for a in range(rank)])

    def _last_axis_only(self, x):
        """Whether this layer normalises over ``x``'s last axis alone (the backend's
        ``layer_norm`` kernels' case)."""
        return self._axes == [x.ndim - 1]

    def forward(self, x, training=False, mask=None):
        xp, axes = self.xp, tuple(self._axes)
        gamma, beta = self.params.get("gamma"), self.params.get("beta")
        compiled = get_backend().run_kernel("layer_norm", x, gamma, beta, self.epsilon,
                                            training) if self._last_axis_only(x) else None
        if compiled is not None:
            y, x_hat, inv = compiled
        else:
            mean, variance = moments(x, axes, None)
            x_hat, inv = standardize(xp, x, mean, variance, self.epsilon)
            y = x_hat
            if self.scale:
                y = y * self._broadcast(gamma, x.ndim)
            if self.center:
                y = y + self._broadcast(beta, x.ndim)
        if training:
            self._cache = (x_hat, inv)
        return y

    def backward(self, dy):
        (x_hat, inv), self._cache = self._cache, None
        axes = tuple(self._axes)
        others = tuple(a for a in range(dy.ndim) if a not in axes)
        if self.center:
            self.grads["beta"] += dy.sum(axis=others).reshape(self.grads["beta"].shape)
        if self.scale:
            self.grads["gamma"] += (dy * x_hat).sum(axis=others).reshape(self.grads["gamma"].shape)
        gamma = self.params.get("gamma")
        dx = get_backend().run_kernel("layer_norm_backward", dy, gamma, x_hat, inv) \
            if self._last_axis_only(dy) else None
        if dx is not None:
            return dx
        g = dy if gamma is None else dy * self._broadcast(gamma, dy.ndim)
        count = 1
        for a in axes:
            count *= dy.shape[a]
        return standardize_backward(g, x_hat, inv, axes, None, count)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale}
