"""Rescaling: Keras's ``y = x · scale + offset`` layer (images to [0, 1], say)."""
from nnkit import validation
from nnkit.layers.base import Layer
from nnkit.registry import register_layer


@register_layer
class Rescaling(Layer):
    """``y = x · scale + offset`` (Keras's ``keras.layers.Rescaling``).

    Args:
        scale: a finite number (``1 / 255`` for 8-bit images).
        offset: a finite number added after scaling (default 0).

    Shapes:
        x, y: any ``(N, ...)``; integer inputs are cast to floatx; the mask passes through.
    """

    supports_masking = True
    fixed_input_axes = ()

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = validation.real(self.where, "scale", scale)
        self.offset = validation.real(self.where, "offset", offset)

    def forward(self, x, training=False, mask=None):
        return x * self.scale + self.offset

    def backward(self, dy):
        """``dx = dy · scale``."""
        return dy * self.scale

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}
