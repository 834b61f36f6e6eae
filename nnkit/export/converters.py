"""The table of per-layer ONNX converters, and the one way a layer is converted.

A converter is ``convert(graph, layer, inputs, masks, call) -> (outputs, masks)``:
``inputs`` are the ONNX names of the layer's inputs (a list), ``masks`` their
boolean ``(N, T)`` mask names (None where a tensor has none), and ``call`` the
node's keyword arguments (``use_causal_mask``, ...). It returns lists of output
names and of output-mask names, mirroring the layer's ``forward`` and
``compute_mask``. Converters are looked up by the layer's exact class, so a
subclass with its own ``forward`` is never exported as its parent.
"""
import numpy

from nnkit.backend import get_backend
from nnkit.errors import InvalidArgumentError

#: layer class → converter; filled once, when ``nnkit.export`` is imported (never per model)
CONVERTERS = {}


class UnsupportedLayerError(InvalidArgumentError):
    """A layer (or an op, or one of its settings) that has no ONNX export."""


def converts(*classes):
    """Decorator: register the function as the converter of ``classes``."""
    def register(function):
        for cls in classes:
            CONVERTERS[cls] = function
        return function
    return register


def unsupported(layer, what):
    """The error for a layer setting with no export: ``what`` says which setting."""
    return UnsupportedLayerError(
        f"export to ONNX: layer '{layer.name}' ({type(layer).__name__}): {what} has no ONNX "
        f"export")


def unsupported_activation(name):
    return UnsupportedLayerError(f"export to ONNX: activation {name!r} has no ONNX export")


def params_of(layer):
    """The layer's parameters as host NumPy arrays, by key."""
    return {key: numpy.asarray(get_backend().to_numpy(value)) for key, value in
            layer.params.items()}


def convert_layer(graph, layer, inputs, masks, call):
    """Convert one node of ``layer``; returns ``(outputs, masks)`` (lists of names)."""
    converter = CONVERTERS.get(type(layer))
    if converter is None:
        names = sorted(cls.__name__ for cls in CONVERTERS)
        raise UnsupportedLayerError(
            f"export to ONNX: layer '{layer.name}' ({type(layer).__name__}) has no ONNX "
            f"converter; layers that export: {', '.join(names)}")
    saved, graph.scope = graph.scope, layer.name
    try:
        outputs, out_masks = converter(graph, layer, list(inputs), list(masks), dict(call))
    finally:
        graph.scope = saved
    return list(outputs), list(out_masks)


def single(inputs, masks, layer):
    """``(x, mask)`` of a layer that takes one tensor."""
    if len(inputs) != 1:
        raise UnsupportedLayerError(f"export to ONNX: layer '{layer.name}' "
                                    f"({type(layer).__name__}): expected one input, received "
                                    f"{len(inputs)}")
    return inputs[0], masks[0]
