"""TimeDistributed: apply one layer to every time step."""
from nnkit.errors import ShapeError, describe
from nnkit.layers.wrapper import Wrapper
from nnkit.registry import register_layer


@register_layer
class TimeDistributed(Wrapper):
    """Apply ``layer`` to each step by folding time into the batch axis.

    ``(N, T, ...)`` is reshaped to ``(N·T, ...)``, run through ``layer`` and
    reshaped back, so every step shares the same parameters. The mask passes
    through unchanged (the wrapped layer sees single steps, so it gets none);
    outputs at padded steps are computed but downstream layers ignore them.
    Parameters appear as ``"layer/<key>"`` (aliases of the wrapped layer's).

    Args:
        layer: the Layer applied per step.

    Shapes:
        x: ``(N, T, ...)`` with ``...`` what ``layer`` takes per example;
        mask: ``(N, T)``; y: ``(N, T, ...)`` with ``...`` what ``layer`` gives.

    Example:
        >>> TimeDistributed(Dense(8))(np.ones((2, 5, 3))).shape
        (2, 5, 8)
    """

    supports_masking = True
    fixed_input_axes = ()          # the wrapped layer checks the per-step shape

    @property
    def input_kind(self):
        return self.layer.input_kind

    def check_input(self, x):
        x = super().check_input(x)
        if len(x.shape) < 3:
            raise ShapeError(f"layer '{self.name}' (TimeDistributed): expected input of rank "
                             f">= 3 (N, T, ...), received {describe(x)}")
        return x

    def build(self, input_shape):
        if not self.layer.built:
            self.layer.build(tuple(input_shape[1:]))
        self.expose_child_params()
        super().build(input_shape)

    def example_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(self.layer.example_output_shape(input_shape[1:]))

    def forward(self, x, training=False, mask=None):
        n, t = x.shape[:2]
        y = self.layer(x.reshape((n * t,) + tuple(x.shape[2:])), training=training)
        if training:
            self._cache = (n, t)
        return y.reshape((n, t) + tuple(y.shape[1:]))

    def backward(self, dy):
        (n, t), self._cache = self._cache, None
        self.layer.needs_input_grad = self.needs_input_grad
        dx = self.layer.backward(dy.reshape((n * t,) + tuple(dy.shape[2:])))
        return None if dx is None else dx.reshape((n, t) + tuple(dx.shape[1:]))
