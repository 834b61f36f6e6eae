"""PReLU: a leaky ReLU whose negative slope ``alpha`` is learned per entry."""
from nnkit import initializers
from nnkit.errors import InvalidArgumentError, ShapeError
from nnkit.layers.base import Layer
from nnkit.registry import register_layer


@register_layer
class PReLU(Layer):
    """``y = x`` for ``x ≥ 0``, ``alpha ⊙ x`` below (Keras's ``PReLU``).

    Keras writes it ``relu(x) − alpha ⊙ relu(−x)``; the same as ``x − m + alpha ⊙ m``
    with ``m = min(x, 0)``.

    Args:
        alpha_initializer: initializer of ``alpha`` (default zeros, as Keras).
        alpha_regularizer, alpha_constraint: as Keras's (nnkit's regularizers
            and constraints).
        shared_axes: axes (batch axis = 0, so from 1) along which one ``alpha``
            is shared, e.g. ``[1, 2]`` for one slope per channel of ``(N, H, W, C)``.

    Shapes:
        x, y: ``(N, d1, ..., dk)``; the mask passes through.
        alpha: ``(d1, ..., dk)`` with the shared axes of size 1 (Keras's layout);
        the other axes are fixed once built.

    Example:
        >>> PReLU(shared_axes=[1])(np.ones((2, 5, 3))).shape      # alpha (1, 3)
        (2, 5, 3)
    """

    supports_masking = True
    regularizable = ("alpha",)

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(alpha_regularizer=alpha_regularizer, alpha_constraint=alpha_constraint,
                         **kwargs)
        axes = [] if shared_axes is None else \
            list(shared_axes) if isinstance(shared_axes, (list, tuple)) else [shared_axes]
        if not all(isinstance(a, int) and not isinstance(a, bool) and a >= 1 for a in axes):
            raise InvalidArgumentError(f"layer '{self.name}' (PReLU): shared_axes must be axes "
                                       f">= 1 (axis 0 is the batch), received {shared_axes!r}")
        self.shared_axes = None if shared_axes is None else axes
        self.alpha_initializer = alpha_initializer

    def build(self, input_shape):
        rank = len(input_shape)
        shared = set(self.shared_axes or [])
        if any(axis > rank for axis in shared):
            raise ShapeError(f"layer '{self.name}' (PReLU): shared_axes {self.shared_axes} are "
                             f"not axes of inputs of shape (N, {', '.join(map(str, input_shape))})")
        shape = tuple(1 if axis + 1 in shared else size for axis, size in enumerate(input_shape))
        if None in shape:
            raise ShapeError(f"layer '{self.name}' (PReLU): alpha needs a known size on every "
                             f"axis not in shared_axes; received input shape "
                             f"(N, {', '.join(map(str, input_shape))})")
        self.fixed_input_axes = tuple(axis - rank for axis in range(rank) if axis + 1 not in shared)
        self.add_weight("alpha", shape, self.alpha_initializer)
        super().build(input_shape)

    def forward(self, x, training=False, mask=None):
        negative = self.xp.minimum(x, 0)
        if training:
            self._cache = (x, negative)
        return x - negative + self.params["alpha"] * negative

    def backward(self, dy):
        """``dx = dy`` for ``x > 0``, ``alpha ⊙ dy`` below; ``d alpha = Σ dy ⊙ min(x, 0)``
        over the batch and the shared axes."""
        (x, negative), self._cache = self._cache, None
        alpha = self.params["alpha"]
        shared = tuple(axis + 1 for axis, size in enumerate(alpha.shape) if size == 1)
        self.grads["alpha"] += (dy * negative).sum(axis=(0,) + shared, keepdims=True)[0]
        return self.xp.where(x > 0, dy, alpha * dy)

    def get_config(self):
        return {**super().get_config(),
                "alpha_initializer": initializers.serialize(self.alpha_initializer),
                "shared_axes": self.shared_axes}
