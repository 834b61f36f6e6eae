"""Activation: an element-wise function as a layer of its own."""
from nnkit import activations
from nnkit.layers.base import Layer
from nnkit.registry import register_layer


@register_layer
class Activation(Layer):
    """Apply ``activation`` element-wise ("linear", "relu", "sigmoid", "tanh", "softmax").

    Shapes:
        x, y: any ``(N, ...)``; softmax normalises the last axis.
    """

    supports_masking = True
    fixed_input_axes = ()

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def forward(self, x, training=False, mask=None):
        y = self.activation.forward(self.xp, x)
        if training:
            self._cache = (x, y)
        return y

    def backward(self, dy):
        x, y = self._cache
        self._cache = None
        return self.activation.backward(self.xp, dy, x, y)

    def get_config(self):
        return {**super().get_config(), "activation": self.activation.name}
