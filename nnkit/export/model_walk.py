"""Walk a model's graph (the nodes its GraphRunner runs) and convert every node in order.

Sequential and graph (functional) models share the runner, so one walk serves
both; a nested model is walked in place with its caller's tensors. Each tensor
id maps to an ONNX name and to the name of its ``(N, T)`` boolean mask (or None),
mirroring ``GraphRunner.trace``.
"""
from onnx import helper

from nnkit.export.converters import UnsupportedLayerError, convert_layer
from nnkit.export.graph_builder import ELEMENT_TYPES


def _is_model(layer):
    return hasattr(layer, "runner") and hasattr(layer, "output_names")


def convert_model(graph, model, inputs, masks):
    """Convert ``model``'s nodes on ``inputs`` (names, one per model input).

    Returns:
        ``(outputs, output masks)``: lists of names (None for no mask), in model order.
    """
    runner = model.runner()
    if len(runner.nodes) == 1 and type(runner.nodes[0].layer).__name__ == "CallBody":
        raise UnsupportedLayerError(
            f"export to ONNX: model '{model.name}' ({type(model).__name__}) is a Model "
            f"subclass written with call(); export a Sequential or functional model")
    values = dict(zip(runner.input_ids, inputs))
    mask_of = dict(zip(runner.input_ids, masks))
    for node in runner.nodes:
        xs = [values[i] for i in node.inputs]
        ms = [mask_of.get(i) for i in node.inputs]
        if _is_model(node.layer):
            ys, out_masks = convert_model(graph, node.layer, xs, ms)
        else:
            ys, out_masks = convert_layer(graph, node.layer, xs, ms, node.kwargs)
        if len(ys) != len(node.outputs):
            raise UnsupportedLayerError(
                f"export to ONNX: layer '{node.layer.name}' ({type(node.layer).__name__}) "
                f"gave {len(ys)} outputs where the model reads {len(node.outputs)}")
        values.update(zip(node.outputs, ys))
        mask_of.update(zip(node.outputs, out_masks))
    return [values[i] for i in runner.output_ids], [mask_of.get(i) for i in runner.output_ids]


def _value_info(name, dtype, shape, dynamic):
    element = ELEMENT_TYPES.get(str(dtype), ELEMENT_TYPES["float32"])
    dims = [dynamic[axis] if axis in dynamic else (size if size is not None else
                                                   f"{name}_dim{axis}")
            for axis, size in enumerate(shape)]
    return helper.make_tensor_value_info(name, element, dims)


def model_signature(model):
    """Per input and per output: ``(name, dtype, batch shape)`` from the built model's tensors."""
    if not model.built:
        raise UnsupportedLayerError(f"export to ONNX: model '{model.name}' is not built; call "
                                    f"it on data or build(input_shape) first")
    inputs = [(name, tensor.dtype, tuple(tensor.shape))
              for name, tensor in zip(model.input_names, model.inputs)]
    outputs = [(name, tensor.dtype, tuple(tensor.shape))
               for name, tensor in zip(model.output_names, model.outputs)]
    return inputs, outputs


def graph_inputs(signature):
    """``ValueInfoProto``s: batch axis ``batch``; a sequence's axis 1 ``<input>_steps``."""
    infos = []
    for name, dtype, shape in signature:
        dynamic = {0: "batch"}
        if len(shape) in (2, 3):
            dynamic[1] = f"{name}_steps"
        infos.append(_value_info(name, dtype, shape, dynamic))
    return infos


def graph_outputs(signature):
    """``ValueInfoProto``s: every axis but the last is dynamic (the steps follow the input's)."""
    return [_value_info(name, dtype, shape, {0: "batch", **{axis: f"{name}_dim{axis}" for axis
                                                            in range(1, len(shape) - 1)}})
            for name, dtype, shape in signature]
