"""Converters of the element-wise and per-step layers: Dense, Embedding, Dropout, activations.

Shapes: N batch, T time, D input features, H units, V vocabulary.
"""
from onnx import TensorProto

from nnkit import layers
from nnkit.export.converters import (converts, params_of, single, unsupported,
                                     unsupported_activation)


def activation(graph, x, name):
    """``name`` (an ``nnkit.activations`` name; None is linear) applied to ``x``."""
    if name in (None, "linear"):
        return x
    if name == "softmax":
        return graph.op("Softmax", [x], axis=-1)
    simple = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "Relu"}
    if name not in simple:
        raise unsupported_activation(name)
    return graph.op(simple[name], [x])


def affine(graph, x, kernel, bias):
    """``x @ kernel + bias`` for ``x (..., D)``, kernel ``(D, H)``, bias ``(H,)`` or None."""
    y = graph.op("MatMul", [x, graph.weight(kernel, "kernel")])
    return y if bias is None else graph.op("Add", [y, graph.weight(bias, "bias")])


@converts(layers.Dense)
def dense(graph, layer, inputs, masks, call):
    """``act(x·W + b)``, x ``(N, ..., D)`` → ``(N, ..., H)``; the mask passes through."""
    x, mask = single(inputs, masks, layer)
    params = params_of(layer)
    z = affine(graph, x, params["kernel"], params.get("bias"))
    return [activation(graph, z, layer.activation.name)], [mask]


@converts(layers.Embedding)
def embedding(graph, layer, inputs, masks, call):
    """ids ``(N, T)`` → ``(N, T, E)`` rows of the table; ``mask_zero`` gives ``ids != 0``."""
    ids, _ = single(inputs, masks, layer)
    table = graph.weight(params_of(layer)["embeddings"], "embeddings")
    y = graph.op("Gather", [table, ids], axis=0)
    mask = None
    if layer.mask_zero:
        zero = graph.op("CastLike", [graph.ints(0), ids])
        mask = graph.op("Not", [graph.op("Equal", [ids, zero])])
    return [y], [mask]


@converts(layers.Dropout, layers.SpatialDropout1D, layers.InputLayer)
def identity(graph, layer, inputs, masks, call):
    """Dropout is the identity at inference (the export is an inference graph)."""
    return single(inputs, masks, layer)[:1], masks[:1]


@converts(layers.Activation)
def activation_layer(graph, layer, inputs, masks, call):
    x, mask = single(inputs, masks, layer)
    return [activation(graph, x, layer.activation.name)], [mask]


@converts(layers.ReLU, layers.LeakyReLU)
def rectified_linear(graph, layer, inputs, masks, call):
    """``where(x > θ, x, 0)``, capped at ``max_value``, minus ``slope·max(θ − x, 0)``."""
    x, mask = single(inputs, masks, layer)
    threshold = graph.floats(float(layer.threshold))
    y = graph.op("Where", [graph.op("Greater", [x, threshold]), x, graph.floats(0.0)])
    if layer.max_value is not None:
        y = graph.op("Min", [y, graph.floats(float(layer.max_value))])
    if layer.negative_slope:
        below = graph.op("Relu", [graph.op("Sub", [threshold, x])])
        slope = graph.floats(float(layer.negative_slope))
        y = graph.op("Sub", [y, graph.op("Mul", [below, slope])])
    return [y], [mask]


@converts(layers.ELU)
def elu(graph, layer, inputs, masks, call):
    x, mask = single(inputs, masks, layer)
    return [graph.op("Elu", [x], alpha=float(layer.alpha))], [mask]


@converts(layers.PReLU)
def prelu(graph, layer, inputs, masks, call):
    """``x − min(x, 0) + α ⊙ min(x, 0)`` with α ``(...)`` broadcasting over the batch."""
    x, mask = single(inputs, masks, layer)
    negative = graph.op("Min", [x, graph.floats(0.0)])
    alpha = graph.weight(params_of(layer)["alpha"], "alpha")
    y = graph.op("Add", [graph.op("Sub", [x, negative]), graph.op("Mul", [alpha, negative])])
    return [y], [mask]


@converts(layers.Softmax)
def softmax(graph, layer, inputs, masks, call):
    """Softmax over one axis; a masked softmax has no export yet."""
    x, mask = single(inputs, masks, layer)
    if mask is not None or isinstance(layer.axis, list):
        raise unsupported(layer, "a mask or several axes")
    return [graph.op("Softmax", [x], axis=int(layer.axis))], [mask]


@converts(layers.Masking)
def masking(graph, layer, inputs, masks, call):
    """mask ``any(x != v, axis=-1)`` ``(N, T)``; ``y = x ⊙ mask``."""
    x, _ = single(inputs, masks, layer)
    differs = graph.op("Not", [graph.op("Equal", [x, graph.floats(float(layer.mask_value))])])
    count = graph.reduce("ReduceMax", graph.cast(differs, TensorProto.FLOAT), [-1], False)
    mask = graph.op("Greater", [count, graph.floats(0.0)])
    y = graph.op("Mul", [x, graph.unsqueeze(graph.cast(mask, TensorProto.FLOAT), [-1])])
    return [y], [mask]
