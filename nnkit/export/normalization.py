"""Converters of LayerNormalization and BatchNormalization (inference: the moving statistics).

Shapes: x ``(N, ..., D)``; γ and β are reshaped on the host to broadcast against x.
"""
import numpy

from nnkit import layers
from nnkit.export.converters import converts, params_of, single


def _broadcast(value, axes, rank):
    """A parameter over ``axes`` (positive, batch axis 0) shaped to broadcast at ``rank``."""
    shape = [1] * rank
    for axis, size in zip(axes, value.shape if value.ndim == len(axes) else (value.size,)):
        shape[axis] = size
    return value.reshape(shape)


def _rank(layer):
    return len(layer.build_input_shape) + 1


@converts(layers.LayerNormalization)
def layer_normalization(graph, layer, inputs, masks, call):
    """``(x − μ) / √(σ² + ε) · γ + β``, μ and σ² over the layer's axes; mask passes."""
    x, mask = single(inputs, masks, layer)
    axes, rank, p = list(layer._axes), _rank(layer), params_of(layer)
    centred = graph.op("Sub", [x, graph.reduce("ReduceMean", x, axes)])
    variance = graph.reduce("ReduceMean", graph.op("Mul", [centred, centred]), axes)
    spread = graph.op("Sqrt", [graph.op("Add", [variance, graph.floats(float(layer.epsilon))])])
    y = graph.op("Div", [centred, spread])
    if layer.scale:
        y = graph.op("Mul", [y, graph.weight(_broadcast(p["gamma"], axes, rank), "gamma")])
    if layer.center:
        y = graph.op("Add", [y, graph.weight(_broadcast(p["beta"], axes, rank), "beta")])
    return [y], [mask]


@converts(layers.BatchNormalization)
def batch_normalization(graph, layer, inputs, masks, call):
    """``x · s + t``: ``s = γ / √(moving σ² + ε)``, ``t = β − moving μ · s`` (float64
    on the host, then float32)."""
    x, mask = single(inputs, masks, layer)
    p = {key: value.astype(numpy.float64) for key, value in params_of(layer).items()}
    scale = 1.0 / numpy.sqrt(p["moving_variance"] + layer.epsilon)
    if layer.scale:
        scale = scale * p["gamma"]
    shift = -p["moving_mean"] * scale
    if layer.center:
        shift = shift + p["beta"]
    axes, rank = [layer._axis], _rank(layer)
    y = graph.op("Mul", [x, graph.weight(_broadcast(scale, axes, rank), "scale")])
    return [graph.op("Add", [y, graph.weight(_broadcast(shift, axes, rank), "shift")])], [mask]
