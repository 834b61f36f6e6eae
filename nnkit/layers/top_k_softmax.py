"""TopKSoftmax: a softmax over the k largest entries only (the gate of a mixture of experts)."""
from nnkit.errors import InvalidArgumentError, ShapeError, describe
from nnkit.layers.base import Layer
from nnkit.registry import register_layer


@register_layer
class TopKSoftmax(Layer):
    """Softmax over the ``k`` largest entries along ``axis``; every other entry is exactly 0.

    Equivalent to setting all but the top k logits to −∞ before a softmax
    (the mixture-of-experts post's ``keep_topk``, which used −10). Ties are
    broken towards the lower index, so the choice is deterministic. The
    gradient flows through the kept entries only:
    ``dz = a ⊙ (da − Σ da ⊙ a)`` with ``a = 0`` outside the top k.

    Args:
        k: entries kept, ``1 ≤ k ≤`` the size of ``axis``.
        axis: the axis normalised (default -1).

    Shapes:
        x, y: ``(N, ..., E)`` (E experts along ``axis``).

    Example:
        >>> TopKSoftmax(2)(np.array([[1.0, 3.0, 2.0, 0.0]]))   # [[0, 0.731, 0.269, 0]]
    """

    supports_masking = True

    def __init__(self, k, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise InvalidArgumentError(f"layer '{self.name}' (TopKSoftmax): k must be a "
                                       f"positive integer, received {k!r}")
        if isinstance(axis, bool) or not isinstance(axis, int) or axis == 0:
            raise InvalidArgumentError(f"layer '{self.name}' (TopKSoftmax): axis must be a "
                                       f"non-batch axis, received {axis!r}")
        self.k, self.axis = k, axis
        self.fixed_input_axes = (axis,) if axis < 0 else ()

    def build(self, input_shape):
        rank = len(input_shape) + 1
        if not -rank < self.axis < rank or self.axis % rank == 0:
            raise ShapeError(f"layer '{self.name}' (TopKSoftmax): axis {self.axis} is not a "
                             f"non-batch axis of inputs of rank {rank}")
        size = input_shape[self.axis % rank - 1]
        if self.k > size:
            raise ShapeError(f"layer '{self.name}' (TopKSoftmax): k={self.k} is larger than "
                             f"the {size} entries along axis {self.axis}")
        super().build(input_shape)

    def forward(self, x, training=False, mask=None):
        xp = self.xp
        z = xp.moveaxis(x, self.axis, -1)
        if self.k > z.shape[-1]:
            raise ShapeError(f"layer '{self.name}' (TopKSoftmax): k={self.k} is larger than "
                             f"the {z.shape[-1]} entries along axis {self.axis} of "
                             f"{describe(x)}")
        # stable sort of −z: among equal entries the lower index comes first
        top = xp.argsort(-z, axis=-1, kind="stable")[..., :self.k]
        kept = xp.take_along_axis(z, top, axis=-1)
        e = xp.exp(kept - kept[..., :1])                 # kept[..., 0] is the maximum
        e /= e.sum(axis=-1, keepdims=True)
        a = xp.zeros_like(z)
        xp.put_along_axis(a, top, e, axis=-1)
        y = xp.moveaxis(a, -1, self.axis)
        if training:
            self._cache = y
        return y

    def backward(self, dy):
        y, self._cache = self._cache, None
        return y * (dy - (dy * y).sum(axis=self.axis, keepdims=True))

    def get_config(self):
        return {**super().get_config(), "k": self.k, "axis": self.axis}
