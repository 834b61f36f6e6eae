"""Converters of op nodes (``nnkit.layers.op_layer``): ``x + y``, ``ops.mean(x, axis=1)``, ...

Each op with a direct ONNX equivalent maps to it; an op without one raises
``UnsupportedLayerError`` naming the op. Constant arguments (numbers, arrays)
become initializers cast like the op's first tensor argument. Op nodes output
no mask (Keras 3's ops drop it).
"""
import numpy

from nnkit.backend import get_backend
from nnkit.export.converters import UnsupportedLayerError, converts
from nnkit.layers.op_layer import Constant, OpLayer

_UNARY = {"absolute": "Abs", "negative": "Neg", "exp": "Exp", "log": "Log", "sqrt": "Sqrt",
          "tanh": "Tanh", "sigmoid": "Sigmoid", "relu": "Relu", "floor": "Floor",
          "ceil": "Ceil", "sin": "Sin", "cos": "Cos", "reciprocal": "Reciprocal",
          "sign": "Sign", "softplus": "Softplus", "softsign": "Softsign", "erf": "Erf",
          "logical_not": "Not", "isnan": "IsNaN"}
_BINARY = {"add": "Add", "subtract": "Sub", "multiply": "Mul", "divide": "Div",
           "true_divide": "Div", "matmul": "MatMul", "maximum": "Max", "minimum": "Min",
           "power": "Pow", "equal": "Equal", "greater": "Greater", "less": "Less",
           "greater_equal": "GreaterOrEqual", "less_equal": "LessOrEqual",
           "logical_and": "And", "logical_or": "Or", "logical_xor": "Xor", "where": "Where"}
_REDUCTIONS = {"mean": "ReduceMean", "sum": "ReduceSum", "max": "ReduceMax",
               "min": "ReduceMin", "prod": "ReduceProd"}


def _arguments(graph, layer, inputs):
    """The op's arguments as ONNX names: the node's tensors and its constants."""
    first = next((inputs[entry[1]] for entry in layer.template if entry[0] == "tensor"), None)
    names = []
    for kind, value in layer.template:
        if kind == "tensor":
            names.append(inputs[value])
            continue
        array = numpy.asarray(value["array"] if isinstance(value, dict) else value,
                              dtype=value.get("dtype") if isinstance(value, dict) else None)
        constant = graph.weight(array, "constant", numpy.float32 if array.dtype.kind == "f"
                                else array.dtype)
        names.append(constant if first is None else graph.op("CastLike", [constant, first]))
    return names


def _axes(axis):
    return None if axis is None else list(axis) if isinstance(axis, (list, tuple)) else [axis]


@converts(OpLayer)
def op_node(graph, layer, inputs, masks, call):
    name, config = layer.op.name, layer.op.get_config()
    args = _arguments(graph, layer, inputs)
    if name in _UNARY:
        y = graph.op(_UNARY[name], args)
    elif name in _BINARY:
        y = graph.op(_BINARY[name], args)
    elif name == "square":
        y = graph.op("Mul", [args[0], args[0]])
    elif name in _REDUCTIONS and config.get("initial") is None:
        y = graph.reduce(_REDUCTIONS[name], args[0], _axes(config.get("axis")),
                         config.get("keepdims", False))
    elif name in ("softmax", "log_softmax"):
        y = graph.op("Softmax" if name == "softmax" else "LogSoftmax", args,
                     axis=int(config.get("axis", -1)))
    elif name == "concatenate":
        y = graph.op("Concat", args, axis=int(config.get("axis", 0)))
    elif name == "reshape":
        y = graph.op("Reshape", [args[0], graph.ints(list(config["newshape"]))])
    elif name == "transpose" and config.get("axes") is not None:
        y = graph.op("Transpose", args, perm=list(config["axes"]))
    elif name == "expand_dims":
        y = graph.unsqueeze(args[0], _axes(config["axis"]))
    elif name == "squeeze" and config.get("axis") is not None:
        y = graph.squeeze(args[0], _axes(config["axis"]))
    elif name == "clip":
        low, high = (graph.op("CastLike", [graph.floats(float(config[key])), args[0]])
                     for key in ("x_min", "x_max"))
        y = graph.op("Clip", [args[0], low, high])
    else:
        raise UnsupportedLayerError(
            f"export to ONNX: op node '{layer.name}' (op '{name}', {config}) has no ONNX "
            f"export; ops that export: {', '.join(sorted(_supported_ops()))}")
    return [y], [None]


def _supported_ops():
    return [*_UNARY, *_BINARY, "square", *_REDUCTIONS, "softmax", "log_softmax", "concatenate",
            "reshape", "transpose", "expand_dims", "squeeze", "clip"]


@converts(Constant)
def constant_node(graph, layer, inputs, masks, call):
    """An array made eagerly inside a trace: an initializer of its own dtype."""
    value = numpy.asarray(get_backend().to_numpy(layer.value))
    dtype = numpy.float32 if value.dtype.kind == "f" else value.dtype
    return [graph.weight(value, "constant", dtype)], [None]

