"""TakeTimestep: one step of a sequence, the saveable form of ``Lambda(lambda x: x[:, t])``."""
from nnkit.errors import InvalidArgumentError, ShapeError, describe
from nnkit.layers.base import Layer
from nnkit.registry import register_layer


@register_layer
class TakeTimestep(Layer):
    """``y = x[:, index]``: step ``index`` of each sequence (negative counts from the end).

    Keras models write this as a ``Lambda``; nnkit files never carry code, so it
    is a registered layer with ``index`` in its config. The gradient goes to
    that step only. A mask is refused (the chosen step could be padding).

    Args:
        index: the time step, ``-T ≤ index < T``.

    Shapes:
        x: ``(N, T, ...)``; y: ``(N, ...)``.

    Example:
        >>> TakeTimestep(-1)(np.ones((2, 5, 3))).shape
        (2, 3)
    """

    fixed_input_axes = ()

    def __init__(self, index, **kwargs):
        super().__init__(**kwargs)
        if isinstance(index, bool) or not isinstance(index, int):
            raise InvalidArgumentError(f"layer '{self.name}' (TakeTimestep): index must be an "
                                       f"integer, received {index!r}")
        self.index = index

    def example_output_shape(self, input_shape):
        return tuple(input_shape[1:])

    def forward(self, x, training=False, mask=None):
        if len(x.shape) < 3 or not -x.shape[1] <= self.index < x.shape[1]:
            raise ShapeError(f"layer '{self.name}' (TakeTimestep): step {self.index} needs an "
                             f"input (N, T, ...) with T > {self.index if self.index >= 0 else -self.index - 1}, "
                             f"received {describe(x)}")
        if training:
            self._cache = x.shape
        return x[:, self.index]

    def backward(self, dy):
        shape, self._cache = self._cache, None
        dx = self.xp.zeros(shape, dy.dtype)
        dx[:, self.index] = dy
        return dx

    def get_config(self):
        return {**super().get_config(), "index": self.index}
