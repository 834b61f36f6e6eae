"""``to_onnx``: convert a built model to an ONNX ``ModelProto``, check it and write it atomically.

Nothing is written until the whole graph is converted and ``onnx.checker``
passes; the file then appears in one rename (``nnkit.saving.atomic``), so a
failed export leaves no file (and an existing file untouched).
"""
import os

import onnx

from nnkit import validation
from nnkit.errors import InvalidArgumentError
from nnkit.export import model_walk
from nnkit.export.graph_builder import OnnxGraph
from nnkit.saving.atomic import atomic_write

#: the opset written when none is asked for (onnxruntime 1.14+ runs it)
DEFAULT_OPSET = 17
#: the oldest opset the converters are written for
OLDEST_OPSET = 17


def build_onnx_model(model, opset_version=None):
    """The checked ``onnx.ModelProto`` of ``model`` (Sequential or functional, built)."""
    opset = _opset(opset_version)
    inputs, outputs = model_walk.model_signature(model)
    graph = OnnxGraph(opset)
    input_names = [graph.reserve(name) for name, _, _ in inputs]
    output_names = [name for name, _, _ in outputs]
    for name in output_names:
        graph.reserve(name)
    values, _ = model_walk.convert_model(graph, model, input_names, [None] * len(inputs))
    for value, name in zip(values, output_names):
        graph.op_into("Identity", [value], name)
    proto = graph.model(model_walk.graph_inputs(inputs), model_walk.graph_outputs(outputs),
                        model.name)
    onnx.checker.check_model(proto)
    return proto


def to_onnx(model, path, opset_version=None):
    """Export ``model`` for inference to the ONNX file ``path`` (see ``nnkit.export``)."""
    path = os.fspath(path)
    proto = build_onnx_model(model, opset_version)
    atomic_write(path, lambda tmp_path: onnx.save_model(proto, tmp_path))


def _opset(opset_version):
    newest = onnx.defs.onnx_opset_version()
    if opset_version is None:
        return DEFAULT_OPSET
    opset = validation.positive_int("export to ONNX", "opset_version", opset_version)
    if not OLDEST_OPSET <= opset <= newest:
        raise InvalidArgumentError(f"export to ONNX: opset_version must be in "
                                   f"[{OLDEST_OPSET}, {newest}] (the installed onnx package's "
                                   f"newest), received {opset_version!r}")
    return opset
