"""Keras 3's op nodes (``x + y``, ``ops.mean(x, axis=1)``, ``x[:, 0]`` in a functional graph) ↔
nnkit's ``OpLayer`` nodes.

Keras 3 writes each op called on symbolic tensors as an entry of the model's ``layers``: its
class (``Add``, module ``keras.src.ops.numpy``), its constructor's arguments in ``config``
(``{"name": "mean", "axis": 1, "keepdims": false}``) and one inbound node whose ``args`` and
``kwargs`` are the call's arguments: tensors (``__keras_tensor__``), numbers, arrays
(``__numpy__``), and keys of ``x[...]`` (lists of ints, None, ``__slice__`` and
``__ellipsis__`` objects). nnkit's ops carry Keras's class names and constructor arguments;
the few call arguments nnkit keeps as op attributes (GetItem's ``key``) are listed in
``keras_catalogue.KERAS_OP_CALL_ATTRIBUTES``. Nothing is evaluated: an op class nnkit lacks,
an argument it does not take, or a serialized object of another kind is a
``CheckpointError`` naming the op node.

Keras also records the ops that compute masks (``NotEqual`` of an Embedding with
``mask_zero``); nnkit derives masks from its layers, so ``data_operations`` tells the ops
the model computes with from those.
"""
import inspect

import numpy

from nnkit.errors import CheckpointError, NnkitError
from nnkit.layers.op_layer import OpLayer
from nnkit.ops import OPS
from nnkit.saving.keras_catalogue import (KERAS_OP_CALL_ATTRIBUTES, KERAS_OP_LIST_ARGUMENT,
                                          KERAS_OP_MODULES)


class _Tensor:
    """A ``__keras_tensor__`` call argument: ``ref`` is ``[layer name, node, tensor]``."""

    def __init__(self, ref):
        self.ref = ref


def _refuse(where, message):
    raise CheckpointError(f"Keras file: {where}: {message}")


def is_op_node(layer):
    """A Keras 3 op entry of a ``.keras`` config (its module is one of ``keras.src.ops``)."""
    return isinstance(layer, dict) and str(layer.get("module", "")).startswith("keras.src.ops.")


def _names_read(value):
    """The layer names of every tensor reference in ``value`` (nested call arguments, or an
    ``input_layers``/``output_layers`` structure of ``[name, node, tensor]`` lists)."""
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            history = (value.get("config") or {}).get("keras_history") or [None]
            return [history[0]]
        return [name for item in value.values() for name in _names_read(item)]
    if isinstance(value, list):
        if len(value) >= 3 and isinstance(value[0], str) and isinstance(value[1], int):
            return [value[0]]
        return [name for item in value for name in _names_read(item)]
    return []


def data_operations(config):
    """Names of the op nodes whose outputs the model computes with: those reached from the
    outputs through call arguments other than ``mask`` (Keras's other op nodes compute masks)."""
    by_name = {layer.get("name"): layer for layer in config.get("layers") or []
               if isinstance(layer, dict)}
    reached, pending = set(), _names_read(config.get("output_layers"))
    while pending:
        name = pending.pop()
        if name in reached or name not in by_name:
            continue
        reached.add(name)
        for node in by_name[name].get("inbound_nodes") or []:
            if isinstance(node, dict):
                node = [node.get("args"), {key: value for key, value in
                                           (node.get("kwargs") or {}).items() if key != "mask"}]
            pending += _names_read(node)
    return {name for name in reached if is_op_node(by_name[name])}


def _decoded(value, where):
    """A call argument of Keras's config as a Python value (tensors as ``_Tensor``)."""
    if isinstance(value, list):
        return [_decoded(item, where) for item in value]
    if not isinstance(value, dict):
        return value
    kind, config = value.get("class_name"), value.get("config")
    if kind == "__keras_tensor__":
        return _Tensor(list((config or {}).get("keras_history") or [])[:3])
    if kind == "__slice__":
        return slice(config.get("start"), config.get("stop"), config.get("step"))
    if kind == "__ellipsis__":
        return Ellipsis
    if kind == "__tuple__":
        return tuple(_decoded(item, where) for item in config.get("value", []))
    if kind == "__numpy__":
        return numpy.asarray(config.get("value"), dtype=config.get("dtype"))
    if kind is not None:
        _refuse(where, f"a call argument is a serialized {kind!r} object; nnkit reads tensors, "
                       f"numbers, arrays and slices there (and never runs code from a file)")
    return {key: _decoded(item, where) for key, item in value.items()}


def _constant(value):
    """A template constant in JSON form (an array as ``{"array", "dtype"}``)."""
    if isinstance(value, numpy.ndarray):
        return {"array": value.tolist(), "dtype": str(value.dtype)}
    return value


def op_layer(layer):
    """One Keras op entry → an nnkit functional config entry of an ``OpLayer``."""
    class_name = layer.get("class_name")
    config = _decoded(dict(layer.get("config") or {}), "op node")
    name = layer.get("name", config.get("name"))
    where = f"op node {name!r} ({class_name})"
    try:
        op_class = OPS.get(class_name)
    except NnkitError:
        _refuse(where, f"Keras op {class_name!r} has no nnkit op; nnkit reads {OPS.names()}")
    nodes = layer.get("inbound_nodes") or []
    if len(nodes) != 1 or not isinstance(nodes[0], dict):
        _refuse(where, f"an op node is called exactly once, found {len(nodes)} calls")
    args = _decoded(list(nodes[0].get("args") or []), where)
    kwargs = _decoded(dict(nodes[0].get("kwargs") or {}), where)
    attributes, args = _attributes(class_name, config, args, kwargs, where)
    accepted = {p.name for p in inspect.signature(op_class.__init__).parameters.values()} - {"self"}
    unknown = sorted(set(attributes) - accepted)
    if unknown:
        _refuse(where, f"arguments {unknown} are not ones nnkit's {class_name} takes "
                       f"(it takes {sorted(accepted)})")
    try:
        op = op_class(**attributes)
    except (NnkitError, TypeError, ValueError) as error:
        _refuse(where, f"nnkit's {class_name} refuses {attributes!r}: {error}")
    refs, template = _template(class_name, args)
    if not refs:
        _refuse(where, "the op reads no tensor")
    return {"class_name": OpLayer.__name__, "name": name,
            "config": {"name": name, "op": class_name, "op_config": op.get_config(),
                       "template": template},
            "inbound_nodes": [{"inputs": refs, "multiple_inputs": True, "kwargs": {}}]}


def _attributes(class_name, config, args, kwargs, where):
    """The nnkit op's attributes (Keras's op config, and the call arguments nnkit keeps as
    attributes: ``catalogue.KERAS_OP_CALL_ATTRIBUTES`` and keywords), and the call's
    remaining positional arguments."""
    attributes = {key: value for key, value in config.items() if key != "name"}
    called_with = KERAS_OP_CALL_ATTRIBUTES.get(class_name, ())
    if called_with:
        attributes.update(zip(called_with, args[1:]))
        args = args[:1]
    for key, value in kwargs.items():
        if isinstance(value, _Tensor):
            _refuse(where, f"tensor call argument {key!r} is not read; nnkit reads tensors "
                           f"passed by position")
        attributes[key] = value
    if class_name == "GetItem" and isinstance(attributes.get("key"), list):
        attributes["key"] = tuple(attributes["key"])      # Keras reads a list key as a tuple
    if any(isinstance(value, _Tensor) for value in attributes.values()):
        _refuse(where, "an op attribute is a tensor; nnkit's ops take it as a constant")
    return attributes, args


def _template(class_name, args):
    """``(tensor refs, OpLayer template)`` of the op's array arguments (a list argument of
    ``ops.concatenate`` and ``ops.stack`` spread out)."""
    flat = [item for arg in args
            for item in (arg if isinstance(arg, list) and class_name in KERAS_OP_LIST_ARGUMENT
                         else [arg])]
    refs, template = [], []
    for item in flat:
        if isinstance(item, _Tensor):
            template.append(["tensor", len(refs)])
            refs.append(item.ref)
        else:
            template.append(["constant", _constant(item)])
    return refs, template


# ---- writing ------------------------------------------------------------------------------
def _encoded(value):
    """A Python call argument in Keras's config form (the reverse of ``_decoded``)."""
    if isinstance(value, slice):
        return {"class_name": "__slice__",
                "config": {"start": value.start, "stop": value.stop, "step": value.step}}
    if value is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if isinstance(value, dict) and "array" in value:
        value = numpy.asarray(value["array"], dtype=value.get("dtype"))
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        host = numpy.asarray(value.get() if hasattr(value, "get") else value)
        return {"class_name": "__numpy__", "config": {"value": host.tolist(),
                                                      "dtype": str(host.dtype)}}
    if isinstance(value, (list, tuple)):
        return [_encoded(item) for item in value]
    return value


def keras_op_node(layer, nodes, tensor):
    """An nnkit ``OpLayer`` (called at ``nodes``) as Keras 3 writes an op node.

    ``tensor(symbolic_tensor)`` writes one tensor argument as ``__keras_tensor__``.

    Raises:
        CheckpointError: an op whose Keras call takes arguments nnkit does not record
            (``dot_product_attention``'s bias, mask and scale).
    """
    op = layer.op
    class_name = type(op).__name__
    if class_name == "DotProductAttention":
        raise CheckpointError(f"op node '{layer.name}' (DotProductAttention): Keras takes its "
                              f"scale, bias and mask as call arguments nnkit does not record; "
                              f"it cannot be saved as a .keras file (save with model.save("
                              f"'model.h5'), or use the MultiHeadAttention layer)")
    called_with = KERAS_OP_CALL_ATTRIBUTES.get(class_name, ())
    config = {key: value for key, value in op.get_config().items() if key not in called_with}
    written = []
    for node in nodes:
        args = [tensor(node.inputs[entry[1]]) if entry[0] == "tensor" else _encoded(entry[1])
                for entry in layer.template]
        if class_name in KERAS_OP_LIST_ARGUMENT:
            args = [args]
        args += [_encoded(getattr(op, key)) for key in called_with]
        written.append({"args": args, "kwargs": {}})
    return {"module": KERAS_OP_MODULES.get(class_name, "keras.src.ops.numpy"),
            "class_name": class_name, "config": {"name": layer.name, **config},
            "registered_name": class_name, "name": layer.name, "inbound_nodes": written}
