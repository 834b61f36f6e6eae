"""Converters of the merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum,
Concatenate) and of TimeDistributed.

Masks as nnkit's: an element-wise merge keeps a step where every masked input is
valid; Concatenate along time joins the masks (an unmasked input counts as all
valid), along features a step is valid where any input's is.
"""
from onnx import TensorProto

from nnkit import layers
from nnkit.export.converters import convert_layer, converts, single

_VARIADIC = {layers.Add: "Sum", layers.Maximum: "Max", layers.Minimum: "Min"}


def _all_valid(graph, x):
    """True ``(N, T)`` shaped as the first two axes of ``x``."""
    shape = graph.op("Shape", [x], start=0, end=2)
    return graph.op("Expand", [graph.cast(graph.ints(1), TensorProto.BOOL), shape])


def _joined(graph, masks, op):
    """The masks present joined with ``op`` (And / Or), or None."""
    present = [m for m in masks if m is not None]
    if not present:
        return None
    combined = present[0]
    for mask in present[1:]:
        combined = graph.op(op, [combined, mask])
    return combined


@converts(layers.Add, layers.Subtract, layers.Multiply, layers.Average, layers.Maximum,
          layers.Minimum)
def elementwise(graph, layer, inputs, masks, call):
    kind = type(layer)
    if kind in _VARIADIC:
        y = graph.op(_VARIADIC[kind], inputs)
    elif kind is layers.Subtract:
        y = graph.op("Sub", inputs)
    elif kind is layers.Multiply:
        y = inputs[0]
        for x in inputs[1:]:
            y = graph.op("Mul", [y, x])
    else:
        y = graph.op("Mul", [graph.op("Sum", inputs), graph.floats(1.0 / len(inputs))])
    return [y], [_joined(graph, masks, "And")]


@converts(layers.Concatenate)
def concatenate(graph, layer, inputs, masks, call):
    y = graph.op("Concat", inputs, axis=int(layer.axis))
    if all(m is None for m in masks):
        return [y], [None]
    full = [m if m is not None else _all_valid(graph, x) for x, m in zip(inputs, masks)]
    rank = len(layer.build_input_shape[0])
    if layer._example_axis(rank) == 0:
        return [y], [graph.op("Concat", full, axis=1)]
    return [y], [_joined(graph, full, "Or")]


@converts(layers.TimeDistributed)
def time_distributed(graph, layer, inputs, masks, call):
    """``(N, T, ...)`` → the wrapped layer on ``(N·T, ...)`` → ``(N, T, ...)``; mask passes."""
    x, mask = single(inputs, masks, layer)
    rows = graph.op("Concat", [graph.ints([-1]), graph.op("Shape", [x], start=2)], axis=0)
    (y,), _ = convert_layer(graph, layer.layer, [graph.op("Reshape", [x, rows])], [None], {})
    shape = graph.op("Concat", [graph.op("Shape", [x], start=0, end=2),
                                graph.op("Shape", [y], start=1)], axis=0)
    return [graph.op("Reshape", [y, shape])], [mask]
