"""OnnxGraph: the ONNX graph being written, with unique names and opset-aware helpers.

Converters add nodes through ``op`` and weights through ``weight``; every name is
made unique here (``<layer>/<what>_<k>``), so two layers (or two calls of one
layer) never collide. The opset decides a few spellings (``Reduce*``'s ``axes``
is an attribute up to opset 17 and an input from 18; ``ReduceSum``'s from 13);
``reduce`` hides that difference.

Shapes in docstrings: N batch, T time, D features.
"""
import numpy
import onnx
from onnx import helper, numpy_helper

#: nnkit dtype name → ONNX element type of a model input or output
ELEMENT_TYPES = {"float32": onnx.TensorProto.FLOAT, "float64": onnx.TensorProto.FLOAT,
                 "int32": onnx.TensorProto.INT32, "int64": onnx.TensorProto.INT64,
                 "bool": onnx.TensorProto.BOOL}

#: the reductions whose ``axes`` became an input in opset 18
_AXES_INPUT_SINCE = {"ReduceSum": 13}


class OnnxGraph:
    """Nodes, initializers and names of one exported graph.

    Args:
        opset: the ONNX opset (default domain) the graph is written for.
    """

    def __init__(self, opset):
        self.opset = int(opset)
        self.nodes, self.initializers = [], []
        self._taken = set()
        self._constants = {}
        self.scope = "model"

    def fresh(self, what):
        """A name not used yet: ``<scope>/<what>``, then ``..._1``, ``..._2``."""
        base = f"{self.scope}/{what}"
        name, k = base, 0
        while name in self._taken:
            k += 1
            name = f"{base}_{k}"
        self._taken.add(name)
        return name

    def reserve(self, name):
        """Claim an exact name (a model input or output)."""
        self._taken.add(name)
        return name

    def op(self, op_type, inputs, outputs=1, **attributes):
        """Add one node; returns its output name (or the list of names when ``outputs`` > 1).

        ``inputs``: names ("" for an omitted optional input).
        """
        names = [self.fresh(op_type.lower()) for _ in range(outputs)]
        self.nodes.append(helper.make_node(op_type, list(inputs), names,
                                           name=self.fresh(f"{op_type}_node"), **attributes))
        return names[0] if outputs == 1 else names

    def op_into(self, op_type, inputs, output, **attributes):
        """Add one node writing the exact name ``output`` (a model output)."""
        self.nodes.append(helper.make_node(op_type, list(inputs), [output],
                                           name=self.fresh(f"{op_type}_node"), **attributes))
        return output

    def weight(self, array, what, dtype=numpy.float32):
        """An initializer holding ``array`` (cast to ``dtype``); returns its name."""
        name = self.fresh(what)
        self.initializers.append(numpy_helper.from_array(
            numpy.ascontiguousarray(numpy.asarray(array, dtype=dtype)), name))
        return name

    def ints(self, values):
        """A shared int64 constant (a 1-D list, or a scalar when ``values`` is an int)."""
        return self._constant(values, numpy.int64)

    def floats(self, values):
        """A shared float32 constant (scalar or 1-D)."""
        return self._constant(values, numpy.float32)

    def _constant(self, values, dtype):
        key = (numpy.dtype(dtype).name, repr(values))
        if key not in self._constants:
            saved, self.scope = self.scope, "const"
            self._constants[key] = self.weight(numpy.asarray(values, dtype), "value", dtype)
            self.scope = saved
        return self._constants[key]

    # ---- spellings that depend on the opset ------------------------------
    def reduce(self, op_type, x, axes, keepdims=True):
        """``op_type`` (ReduceMean, ReduceSum, ReduceMax, ...) of ``x`` over ``axes``."""
        keep = int(bool(keepdims))
        if axes is None:
            return self.op(op_type, [x], keepdims=keep)
        if self.opset >= _AXES_INPUT_SINCE.get(op_type, 18):
            return self.op(op_type, [x, self.ints(list(axes))], keepdims=keep)
        return self.op(op_type, [x], axes=list(axes), keepdims=keep)

    def unsqueeze(self, x, axes):
        return self.op("Unsqueeze", [x, self.ints(list(axes))])

    def squeeze(self, x, axes):
        return self.op("Squeeze", [x, self.ints(list(axes))])

    def cast(self, x, element_type):
        return self.op("Cast", [x], to=element_type)

    def dim(self, x, axis):
        """``shape(x)[axis]`` as a 1-element int64 tensor."""
        if axis == -1:
            return self.op("Shape", [x], start=-1)
        return self.op("Shape", [x], start=axis, end=axis + 1)

    def reverse_time(self, x):
        """``x[:, ::-1]``: reverse axis 1 of any length."""
        return self.op("Slice", [x, self.ints([-1]), self.ints([-(2 ** 62)]), self.ints([1]),
                                 self.ints([-1])])

    # ---- the finished model ----------------------------------------------
    def model(self, inputs, outputs, name):
        """The ``ModelProto``: ``inputs``/``outputs`` are ``ValueInfoProto``s."""
        graph = helper.make_graph(self.nodes, name, inputs, outputs, self.initializers)
        opsets = [helper.make_opsetid("", self.opset)]
        # the oldest IR that can hold the opset: readers older than this onnx package load it
        return helper.make_model(graph, producer_name="nnkit", opset_imports=opsets,
                                 ir_version=helper.find_min_ir_version_for(opsets))
