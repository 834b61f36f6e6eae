"""SpatialDropout1D: drop whole feature channels of a sequence."""
from nnkit.layers.dropout import Dropout
from nnkit.registry import register_layer


@register_layer
class SpatialDropout1D(Dropout):
    """Keras's ``SpatialDropout1D``: one keep-mask per sequence and channel, reused at every step.

    Inverted (kept channels scaled by ``1/(1 − rate)``), training only; the mask
    passes through.

    Args:
        rate: fraction of channels dropped, in [0, 1).

    Shapes:
        x, y: ``(N, T, D)``; the keep-mask is ``(N, 1, D)``.
    """

    input_ranks = (3,)

    def keep_shape(self, x):
        return (x.shape[0], 1, x.shape[2])
