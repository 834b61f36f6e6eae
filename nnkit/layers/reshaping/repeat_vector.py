"""RepeatVector: a vector repeated along a new time axis."""
from nnkit.errors import InvalidArgumentError
from nnkit.layers.base import Layer
from nnkit.registry import register_layer


@register_layer
class RepeatVector(Layer):
    """``(N, D)`` → ``(N, n, D)``: the same vector at each of ``n`` steps (Keras's ``RepeatVector``).

    The gradient of the vector is the sum of the steps' gradients.

    Args:
        n: number of repetitions (steps).

    Shapes:
        x: ``(N, D)``; y: ``(N, n, D)``.

    Example:
        >>> RepeatVector(3)(np.ones((2, 4))).shape
        (2, 3, 4)
    """

    input_ranks = (2,)

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise InvalidArgumentError(f"layer '{self.name}' (RepeatVector): n must be a "
                                       f"positive integer, received {n!r}")
        self.n = n

    def example_output_shape(self, input_shape):
        return (self.n, input_shape[-1])

    def forward(self, x, training=False, mask=None):
        return self.xp.broadcast_to(x[:, None, :], (x.shape[0], self.n, x.shape[1])).copy()

    def backward(self, dy):
        return dy.sum(axis=1)

    def get_config(self):
        return {**super().get_config(), "n": self.n}
