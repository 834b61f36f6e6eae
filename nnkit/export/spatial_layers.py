"""Converters of convolutions, local and global pooling, Flatten, Reshape, Permute, RepeatVector.

nnkit computes channels last ``(N, ..., C)``; ONNX's ``Conv`` and pooling take
channels first ``(N, C, ...)``, so a transpose goes in and one comes out.
Keras's ``data_format="channels_first"`` layers get the transposes nnkit's
``ChannelsFirst`` makes. "same" padding is TensorFlow's rule, ONNX's
``SAME_UPPER``; "causal" is ``k_eff − 1`` zeros before.
"""
from onnx import TensorProto

from nnkit import layers
from nnkit.export.basic_layers import activation
from nnkit.export.converters import converts, params_of, single

_SPATIAL = (layers.Conv1D, layers.Conv2D, layers.MaxPooling1D, layers.MaxPooling2D,
            layers.AveragePooling1D, layers.AveragePooling2D)


def _channels_last(graph, layer, x, rank):
    """``x`` of an ``(N, ...)`` rank-``rank`` layer input, channels last."""
    if getattr(layer, "data_format", "channels_last") != "channels_first":
        return x
    return graph.op("Transpose", [x], perm=[0, *range(2, rank), 1])


def _channels_back(graph, layer, y, rank):
    """A channels-last output back to the layer's data format."""
    if getattr(layer, "data_format", "channels_last") != "channels_first":
        return y
    return graph.op("Transpose", [y], perm=[0, rank - 1, *range(1, rank - 1)])


def _window_attributes(layer, size, strides, dilation=None):
    attributes = {"strides": list(strides)}
    if dilation is not None:
        attributes["dilations"] = list(dilation)
    if layer.padding == "same":
        attributes["auto_pad"] = "SAME_UPPER"
    elif layer.padding == "causal":
        span = dilation[0] * (size[0] - 1) + 1
        attributes["pads"] = [span - 1, 0]
    else:
        attributes["pads"] = [0] * (2 * len(size))
    return attributes


@converts(*_SPATIAL)
def windowed(graph, layer, inputs, masks, call):
    """Conv or pooling: ``(N, ..., C)`` → transpose → ONNX op → transpose back."""
    x, _ = single(inputs, masks, layer)
    rank = layer.input_ranks[0]
    x = _channels_last(graph, layer, x, rank)
    first = graph.op("Transpose", [x], perm=[0, rank - 1, *range(1, rank - 1)])
    if isinstance(layer, (layers.Conv1D, layers.Conv2D)):
        p = params_of(layer)
        kernel = p["kernel"].transpose(rank - 1, rank - 2, *range(rank - 2))     # (F, C, k...)
        operands = [first, graph.weight(kernel, "kernel")]
        if layer.use_bias:
            operands.append(graph.weight(p["bias"], "bias"))
        y = graph.op("Conv", operands, kernel_shape=list(layer.kernel_size),
                     **_window_attributes(layer, layer.kernel_size, layer.strides,
                                          layer.dilation_rate))
    else:
        op = "MaxPool" if "Max" in type(layer).__name__ else "AveragePool"
        y = graph.op(op, [first], kernel_shape=list(layer.pool_size),
                     **_window_attributes(layer, layer.pool_size, layer.strides))
    y = graph.op("Transpose", [y], perm=[0, *range(2, rank), 1])
    if isinstance(layer, (layers.Conv1D, layers.Conv2D)):
        y = activation(graph, y, layer.activation.name)
    return [_channels_back(graph, layer, y, rank)], [None]


@converts(layers.GlobalAveragePooling1D, layers.GlobalMaxPooling1D)
def global_pooling_1d(graph, layer, inputs, masks, call):
    """Mean or max over the valid steps of ``(N, T, D)`` → ``(N, D)``; no valid step → zeros."""
    x, mask = single(inputs, masks, layer)
    x = _channels_last(graph, layer, x, 3)
    average = isinstance(layer, layers.GlobalAveragePooling1D)
    if mask is None:
        return [graph.reduce("ReduceMean" if average else "ReduceMax", x, [1], False)], [None]
    steps = graph.cast(mask, TensorProto.FLOAT)                                    # (N, T)
    if average:
        count = graph.op("Max", [graph.reduce("ReduceSum", steps, [1], True), graph.floats(1.0)])
        weights = graph.unsqueeze(graph.op("Div", [steps, count]), [2])
        return [graph.reduce("ReduceSum", graph.op("Mul", [x, weights]), [1], False)], [None]
    candidates = graph.op("Where", [graph.unsqueeze(mask, [2]), x, graph.floats(float("-inf"))])
    best = graph.reduce("ReduceMax", candidates, [1], False)
    any_step = graph.op("Greater", [graph.reduce("ReduceMax", steps, [1], True),
                                    graph.floats(0.0)])
    return [graph.op("Where", [any_step, best, graph.floats(0.0)])], [None]


@converts(layers.GlobalAveragePooling2D, layers.GlobalMaxPooling2D)
def global_pooling_2d(graph, layer, inputs, masks, call):
    x, _ = single(inputs, masks, layer)
    x = _channels_last(graph, layer, x, 4)
    op = "ReduceMean" if isinstance(layer, layers.GlobalAveragePooling2D) else "ReduceMax"
    return [graph.reduce(op, x, [1, 2], False)], [None]


@converts(layers.Flatten)
def flatten(graph, layer, inputs, masks, call):
    """``(N, ...)`` → ``(N, prod(...))`` in C order of the channels-last view."""
    x, _ = single(inputs, masks, layer)
    rank = len(layer.build_input_shape or ()) + 1
    x = _channels_last(graph, layer, x, rank)
    return [graph.op("Reshape", [x, graph.ints([0, -1])])], [None]


@converts(layers.Reshape)
def reshape(graph, layer, inputs, masks, call):
    x, mask = single(inputs, masks, layer)
    return [graph.op("Reshape", [x, graph.ints([0, *layer.target_shape])])], [None]


@converts(layers.Permute)
def permute(graph, layer, inputs, masks, call):
    x, _ = single(inputs, masks, layer)
    return [graph.op("Transpose", [x], perm=[0, *layer.dims])], [None]


@converts(layers.RepeatVector)
def repeat_vector(graph, layer, inputs, masks, call):
    """``(N, D)`` → ``(N, n, D)``."""
    x, _ = single(inputs, masks, layer)
    return [graph.op("Tile", [graph.unsqueeze(x, [1]), graph.ints([1, layer.n, 1])])], [None]
