"""nnkit models → Keras 3 configs (``config.json`` of a ``.keras`` archive).

Each layer is written as the Keras class ``catalogue.EXPORTED`` names, with its
nnkit config (nnkit takes Keras's argument names) and Keras 3's wrappers
(``module``, initializer objects, ``__keras_tensor__`` node arguments). A layer
with no Keras equivalent (``GatedInput``, ``StackedCells``, ``TopKSoftmax``,
``TakeTimestep``, an ``RNN`` of a custom cell) is refused with a
``CheckpointError`` naming it; nothing is written then. Op nodes (``x + y``) are written as
Keras writes its ops (``keras_op_nodes``), a Lambda by its function's registered name
(``keras_lambda``). A MultiHeadAttention call ``[query, value, key, attention_mask]`` and a
recurrent call ``[x, *states]`` are written as Keras calls them (``_keras_call``).

Initializers and losses are written as Keras writes its objects, from nnkit's
classes (which carry Keras's names and configs). A registered custom class is
written as Keras writes a registered custom object: its own module and its
registered name (Keras then needs it in ``custom_objects``).
"""
from nnkit import initializers, losses
from nnkit.errors import CheckpointError
from nnkit.layers.op_layer import OpLayer
from nnkit.layers.recurrent.state_inputs import StateInputs
from nnkit.saving import keras_lambda, keras_op_nodes
from nnkit.saving.keras_catalogue import EXPORTED, KERAS_LOSS_NAMES, NOT_TAKEN_BY_KERAS


def _object(module, class_name, config):
    return {"module": module, "class_name": class_name, "config": config,
            "registered_name": None}


def _keras_object(instance, kind, config):
    """``instance`` (an Initializer or Loss; ``kind`` "initializers" or "losses") in Keras's
    form: one of nnkit's classes in ``keras.<kind>``, a registered custom one under its own
    module and name."""
    cls = type(instance)
    if cls.__module__.startswith(f"nnkit.{kind}"):
        return _object(f"keras.{kind}", cls.__name__, config)
    return {**_object(cls.__module__, cls.__name__, config), "registered_name": cls.__name__}


def _initializer(spec):
    """An nnkit config's initializer (name, pair or ``{"class_name", "config"}``) as Keras
    writes it: ``{"module": "keras.initializers", "class_name", "config", ...}``."""
    initializer = initializers.get(spec)
    return _keras_object(initializer, "initializers",
                         initializers.serialize(initializer)["config"])


def _loss(spec):
    """A training config's loss as Keras writes it: a name Keras reads stays a string (Keras
    keeps the string given to compile); any other as its ``keras.losses`` object."""
    if isinstance(spec, str) and spec in KERAS_LOSS_NAMES:
        return spec
    loss = losses.get(spec)
    return _keras_object(loss, "losses", loss.get_config())


def layer_config(layer):
    """``{"module", "class_name", "config", ...}`` of one nnkit layer, as Keras 3 writes it."""
    if getattr(layer, "is_model", False):      # a nested Sequential or functional model
        return model_config(layer)
    nnkit_class = type(layer).__name__
    if nnkit_class == "Lambda":
        return keras_lambda.lambda_config(layer)
    keras_class = EXPORTED.get(nnkit_class)
    if keras_class is None or (nnkit_class == "RNN" and layer.cell is not None):
        what = f"an RNN of the custom cell {type(layer.cell).__name__!r}" \
            if nnkit_class == "RNN" else "a layer"
        raise CheckpointError(f"layer '{layer.name}' ({nnkit_class}) is {what} Keras has no "
                              f"equivalent for; it cannot be saved as a .keras file (save it "
                              f"with nnkit's HDF5: model.save('model.h5'))")
    left_out = ("input_shape",) + NOT_TAKEN_BY_KERAS.get(keras_class, ())
    config = {key: value for key, value in layer.get_config().items() if key not in left_out}
    for key in [key for key in config if key.endswith("_initializer")]:
        config[key] = _initializer(config[key])
    for key, value in list(config.items()):
        if key.endswith(("_regularizer", "_constraint")) and isinstance(value, dict):
            module = "keras.regularizers" if key.endswith("_regularizer") else "keras.constraints"
            config[key] = _object(module, value["class_name"], value.get("config") or {})
    if keras_class == "InputLayer":
        config = {"batch_shape": [None, *layer.shape], "dtype": layer.input_dtype,
                  "sparse": layer.sparse, "name": layer.name}
    else:
        config["dtype"] = "float32"
    if "layer" in config:                       # Bidirectional, TimeDistributed
        config["layer"] = layer_config(layer.layer)
    spec = _object("keras.layers", keras_class, config)
    if layer.build_input_shape is not None and keras_class != "InputLayer":
        spec["build_config"] = {"input_shape": _batch_shapes(layer.build_input_shape)}
    return spec


def _batch_shapes(shape):
    if shape and isinstance(shape[0], (tuple, list)):
        return [[None, *part] for part in shape]
    return [None, *shape]


def _tensor(model, tensor):
    return {"class_name": "__keras_tensor__",
            "config": {"shape": list(tensor.shape), "dtype": tensor.dtype,
                       "keras_history": model._tensor_ref(tensor)}}


#: Keras's names of MultiHeadAttention's tensor arguments, in the order of nnkit's input list
_ATTENTION_ARGUMENTS = ("query", "value", "key", "attention_mask")
#: the call flags nnkit's attention nodes record, written as Keras's keyword arguments
_ATTENTION_FLAGS = ("use_causal_mask", "return_attention_scores")


def _keras_call(layer, node):
    """One nnkit node as Keras 3 calls the layer: ``(tensors, positional, flags)``.

    ``tensors`` maps Keras's call argument names to a tensor (or a list of them), the
    first ``positional`` given by position, the others by keyword; ``flags`` are the other
    keyword arguments. MultiHeadAttention's ``[query, value(, key(, attention_mask))]`` is
    ``(query, value, key=..., attention_mask=...)`` (the key left out when it is the value
    an attention mask made nnkit repeat); a recurrent node ``[x, *states]`` is
    ``(x, initial_state=[...])``. Any other node is its input (or list) alone.
    """
    if type(layer).__name__ == "MultiHeadAttention":
        tensors = dict(zip(_ATTENTION_ARGUMENTS, node.inputs))
        if "attention_mask" in tensors and tensors["key"] is tensors["value"]:
            del tensors["key"]
        return tensors, 2, {flag: True for flag in _ATTENTION_FLAGS if node.kwargs.get(flag)}
    if isinstance(layer, StateInputs) and node.multiple_inputs:
        sequences, *states = node.inputs
        if node.kwargs.get("apply_mask", True) and sequences.has_mask:
            raise CheckpointError(
                f"layer '{layer.name}' ({type(layer).__name__}) is called on the list [x, "
                f"*states] with a masked x, which applies x's mask; Keras 3 takes the states "
                f"as initial_state and then runs every step, so it cannot be saved as a "
                f".keras file (call it as layer(x, initial_state=[...]) or save it with "
                f"nnkit's HDF5: model.save('model.h5'))")
        return {"sequences": sequences, "initial_state": states}, 1, {}
    return {"inputs": list(node.inputs) if node.multiple_inputs else node.inputs[0]}, 1, {}


def _written_tensors(model, value):
    if isinstance(value, list):
        return [_tensor(model, t) for t in value]
    return _tensor(model, value)


def _layer_with_nodes(model, layer, nodes):
    """A functional model's layer entry: its spec, ``name`` and ``inbound_nodes`` (Keras's
    ``{"args", "kwargs"}`` of each call). A layer whose first call Keras builds from several
    tensor arguments gets Keras's ``build_config {"shapes_dict": {"<argument>_shape"}}``."""
    spec = {**layer_config(layer), "name": layer.name, "inbound_nodes": []}
    for index, node in enumerate(nodes):
        tensors, positional, flags = _keras_call(layer, node)
        written = [(name, _written_tensors(model, value)) for name, value in tensors.items()]
        spec["inbound_nodes"].append({"args": [value for _, value in written[:positional]],
                                      "kwargs": {**dict(written[positional:]), **flags}})
        if index == 0 and len(tensors) > 1:
            spec["build_config"] = {"shapes_dict": {
                f"{name}_shape": [list(t.shape) for t in value] if isinstance(value, list)
                else list(value.shape) for name, value in tensors.items()
                if name != "attention_mask"}}
    return spec


def model_config(model):
    """A Sequential or functional model's Keras 3 spec.

    Raises:
        CheckpointError: a ``Model`` subclass (Keras has no config for its call(); it saves
            to nnkit's HDF5 file, with its weights by layer).
    """
    if not hasattr(model, "operations") and type(model).__name__ != "Sequential":
        raise CheckpointError(f"model '{model.name}' ({type(model).__name__}) is a Model "
                              f"subclass: a .keras file holds no call(); save it as .h5 "
                              f"(nnkit's file) or its weights as .weights.h5")
    if type(model).__name__ == "Sequential":
        first = model.layers[0]
        dtype = {"index": "int32", "string": "string"}.get(first.input_kind, "float32")
        layers = [_object("keras.layers", "InputLayer", {
            "batch_shape": [None, *model.build_input_shape], "dtype": dtype, "sparse": False,
            "name": f"{model.name}_input"})] + [layer_config(layer) for layer in model.layers]
        return {**_object("keras", "Sequential", {
            "name": model.name, "trainable": True, "dtype": "float32", "layers": layers}),
            "build_config": {"input_shape": [None, *model.build_input_shape]}}
    layers = []
    for layer in model.operations:
        nodes = [node for node in layer.inbound_nodes if node in model._nodes]
        if isinstance(layer, OpLayer):
            layers.append(keras_op_nodes.keras_op_node(layer, nodes,
                                                       lambda t: _tensor(model, t)))
            continue
        layers.append(_layer_with_nodes(model, layer, [node for node in nodes if node.inputs]))
    kind, keys = model.output_structure
    inputs = [model._tensor_ref(t) for t in model.inputs]
    outputs = [model._tensor_ref(t) for t in model.outputs]
    if model.input_structure[0] == "dict":
        inputs = dict(zip(model.input_structure[1], inputs))
    if kind == "dict":
        outputs = dict(zip(keys, outputs))
    elif kind == "single":
        outputs = outputs[0]
    return {**_object("keras.src.models.functional", "Functional", {
        "name": model.name, "trainable": True, "layers": layers, "input_layers": inputs,
        "output_layers": outputs}), "registered_name": "Functional"}


def compile_config(model):
    """Keras 3's ``compile_config`` of a compiled nnkit model (None when not compiled)."""
    if model.optimizer is None or not model.losses:
        return None
    optimizer = model.optimizer
    training = model.training_config()
    return {"optimizer": _object("keras.optimizers", type(optimizer).__name__,
                                 {"name": type(optimizer).__name__.lower(),
                                  **optimizer.get_config()}),
            "loss": [_loss(spec) for spec in training["loss"]]
            if isinstance(training["loss"], list) else _loss(training["loss"]),
            "loss_weights": training["loss_weights"],
            "metrics": training["metrics"] or None, "weighted_metrics": None,
            "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False}
