"""Cropping1D: drop steps at the start and end of each sequence."""
from nnkit import validation
from nnkit.errors import ShapeError, describe
from nnkit.layers.base import Layer
from nnkit.registry import register_layer


@register_layer
class Cropping1D(Layer):
    """Remove ``cropping[0]`` steps before and ``cropping[1]`` after (Keras's ``Cropping1D``).

    The mask, if any, is cropped alike.

    Args:
        cropping: ``c`` (both ends) or ``(before, after)``.

    Shapes:
        x: ``(N, T, D)``; mask ``(N, T)``; y: ``(N, T − before − after, D)``.

    Example:
        >>> Cropping1D((1, 2))(np.ones((2, 6, 3))).shape
        (2, 3, 3)
    """

    supports_masking = True
    input_ranks = (3,)

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.cropping = validation.integers(self.where, "cropping", cropping, 2, low=0)

    def _kept(self, steps):
        before, after = self.cropping
        if steps is not None and before + after >= steps:
            raise ShapeError(f"layer '{self.name}' (Cropping1D): cropping {self.cropping} "
                             f"leaves no step of a sequence of {steps} steps")
        return slice(before, None if steps is None else steps - after)

    def example_output_shape(self, input_shape):
        steps = input_shape[0]
        return (None if steps is None else steps - sum(self.cropping), input_shape[-1])

    def compute_mask(self, x, mask):
        return None if mask is None else mask[:, self._kept(mask.shape[1])]

    def forward(self, x, training=False, mask=None):
        try:
            kept = self._kept(x.shape[1])
        except ShapeError as error:
            raise ShapeError(f"{error}; received {describe(x)}") from None
        if training:
            self._cache = (x.shape, kept)
        return x[:, kept]

    def backward(self, dy):
        (shape, kept), self._cache = self._cache, None
        dx = self.xp.zeros(shape, dy.dtype)
        dx[:, kept] = dy
        return dx

    def get_config(self):
        return {**super().get_config(), "cropping": list(self.cropping)}
