"""Model: a graph of layers from ``Input`` tensors to outputs (Keras's functional API)."""
from nnkit.errors import InvalidArgumentError
from nnkit.layers.input_layer import InputLayer
from nnkit.graph.runner import GraphRunner, RunNode
from nnkit.layers.symbolic import SymbolicTensor, check_shape_fits
from nnkit.models.base_model import BaseModel
from nnkit.models.model import Model
from nnkit.registry import LAYERS, register_layer


def _flatten(value, what):
    """``(tensors, structure)`` for one tensor, a list or a dict of them."""
    if isinstance(value, dict):
        names = list(value)
        tensors = [value[name] for name in names]
        kind = ("dict", names)
    elif isinstance(value, (list, tuple)):
        tensors, kind = list(value), ("list", None)
    else:
        tensors, kind = [value], ("single", None)
    if not tensors or not all(isinstance(t, SymbolicTensor) for t in tensors):
        raise InvalidArgumentError(f"Model: {what} must be symbolic tensors (from nnkit.Input and "
                                   f"layer calls), one, a list or a dict; received {value!r}")
    return tensors, kind


def _nodes_between(inputs, outputs):
    """The nodes from ``inputs`` to ``outputs`` in creation order.

    Raises:
        InvalidArgumentError: an output depends on an Input not in ``inputs``.
    """
    known = {id(t) for t in inputs}
    found, pending = {}, list(outputs)
    while pending:
        tensor = pending.pop()
        if id(tensor) in known:
            continue
        node = tensor.node
        if isinstance(node.layer, InputLayer):
            raise InvalidArgumentError(
                f"Model: graph disconnected: tensor {tensor.name!r} needs Input "
                f"{node.layer.name!r}, which is not among the model's inputs "
                f"{[t.node.layer.name for t in inputs]}")
        if node.order not in found:
            found[node.order] = node
            pending.extend(node.inputs)
    return [found[order] for order in sorted(found)]


def _keras_layer_order(inputs, outputs):
    """The layers as Keras 3 lists them (``keras.src.ops.function.map_graph``): by depth from
    the outputs, deepest (the inputs) first, ties in the order a depth-first walk from the
    outputs first meets them. ``get_weights``/``set_weights`` follow it, so a graph's weights
    move to and from Keras as one list."""
    input_ids = {id(t) for t in inputs}
    finished, walked, first_seen = set(), [], {}

    def walk(tensor):
        node = tensor.node
        if id(node) in finished:
            return
        first_seen.setdefault(node.layer, len(first_seen))
        if not isinstance(node.layer, InputLayer) and id(tensor) not in input_ids:
            for parent in node.inputs:
                walk(parent)
        finished.add(id(node))
        walked.append(node)

    for tensor in outputs:
        walk(tensor)
    node_depth, layer_depth = {}, {}
    for node in reversed(walked):
        depth = max(node_depth.setdefault(node, 0), layer_depth.get(node.layer, 0))
        layer_depth[node.layer] = node_depth[node] = depth
        for parent in node.inputs:
            node_depth[parent.node] = max(depth + 1, node_depth.get(parent.node, 0))
    for tensor in inputs:                    # an input no output depends on
        if tensor.node.layer not in layer_depth:
            layer_depth[tensor.node.layer], first_seen[tensor.node.layer] = 0, -1
    return sorted(layer_depth, key=lambda layer: (-layer_depth[layer], first_seen[layer]))


@register_layer
class Functional(Model):
    """A graph model from ``inputs`` to ``outputs`` (Keras 3's functional ``Model``).

    Args:
        inputs: one ``nnkit.Input`` tensor, a list, or a dict by name.
        outputs: one symbolic tensor, a list or a dict; ``predict`` returns the
            same structure, and losses, metrics and targets are keyed by the
            output layers' names.
        name: model name.

    Every layer runs once per call recorded in the graph (a layer called twice
    shares its weights; its gradients are summed over the calls), and a model
    is itself a layer that other models can call.

    Example:
        >>> tokens = nnkit.Input((None,), dtype="int32", name="tokens")
        >>> features = nnkit.Input((8,), name="features")
        >>> pooled = nnkit.GlobalAveragePooling1D()(nnkit.Embedding(1000, 16, mask_zero=True)(tokens))
        >>> merged = nnkit.Concatenate()([pooled, features])
        >>> model = nnkit.Model([tokens, features], nnkit.Dense(2, activation="softmax")(merged))
    """

    # a graph model is built when made, and runs its recorded graph (not a traced call())
    built = True
    output_structure = None
    call_graph = BaseModel.call_graph
    build = BaseModel.build
    adopt_inputs = BaseModel.adopt_inputs
    batch_output_shapes = BaseModel.batch_output_shapes
    inference_plan = BaseModel.inference_plan

    def __init__(self, inputs, outputs, name=None, **kwargs):
        BaseModel.__init__(self, name=name)
        self.trainable = kwargs.pop("trainable", True)
        if kwargs:
            raise InvalidArgumentError(f"Model: unexpected arguments {sorted(kwargs)}")
        self.inputs, self.input_structure = _flatten(inputs, "inputs")
        self.outputs, self.output_structure = _flatten(outputs, "outputs")
        for tensor in self.inputs:
            if not isinstance(tensor.node.layer, InputLayer):
                raise InvalidArgumentError(f"Model: inputs must come from nnkit.Input; "
                                           f"{tensor.name!r} is made by a layer")
        self._nodes = _nodes_between(self.inputs, self.outputs)
        layers = _keras_layer_order(self.inputs, self.outputs)
        names = [layer.name for layer in layers]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise InvalidArgumentError(f"Model: layer names must be unique, {duplicates} appear "
                                       f"more than once")
        self.operations = layers                     # every node's layer, op nodes included
        self.layers = [layer for layer in layers if not getattr(layer, "is_op", False)]
        kind, keys = self.output_structure
        self.output_structure = (kind, keys or [
            t.node.layer.name if len(t.node.outputs) == 1 else t.name for t in self.outputs])
        self.build_input_shape = [t.example_shape for t in self.inputs]
        self.collect_weights()
        ids = {id(t): index for index, t in enumerate(self.inputs)}
        for node in self._nodes:
            for t in node.outputs:
                ids[id(t)] = len(ids)
        run_nodes = [RunNode(node.layer, [ids[id(t)] for t in node.inputs],
                             [ids[id(t)] for t in node.outputs], node.kwargs,
                             node.multiple_inputs, len(node.outputs) > 1)
                     for node in self._nodes]
        self._runner = GraphRunner(run_nodes, list(range(len(self.inputs))),
                                   [ids[id(t)] for t in self.outputs])

    multiple_inputs = property(lambda self: len(self.inputs) > 1)
    multiple_outputs = property(lambda self: len(self.outputs) > 1)

    @property
    def input(self):
        """Keras's ``model.input``: the input tensor, or the list of them."""
        return self.inputs[0] if len(self.inputs) == 1 else list(self.inputs)

    @property
    def output(self):
        """Keras's ``model.output``: the output tensor, or the list of them."""
        return self.outputs[0] if len(self.outputs) == 1 else list(self.outputs)

    def takes_strings(self):
        """Per input: whether it takes strings (an Input of dtype "string")."""
        return [str(t.dtype) in ("string", "object") for t in self.inputs]

    @property
    def input_names(self):
        return [t.node.layer.name for t in self.inputs]

    @property
    def output_names(self):
        """Keras's names of the outputs: the layer that made each (the keys of an outputs dict)."""
        return list(self.output_structure[1])

    def runner(self):
        return self._runner

    def output_shapes(self, input_shape):
        return [t.example_shape for t in self.outputs]

    def check_model_inputs(self, xs):
        for tensor, x in zip(self.inputs, xs):
            check_shape_fits(tensor.node.layer.name, tensor, x, "Input")

    def summary_rows(self):
        for layer in self.operations:
            for node in layer.inbound_nodes:
                if node not in self._nodes and not isinstance(layer, InputLayer):
                    continue
                connected = ", ".join(f"{t.node.layer.name}[{t.node.index_in_layer}][{t.index}]"
                                      for t in node.inputs)
                shapes = [t.shape for t in node.outputs]
                yield layer, shapes[0] if len(shapes) == 1 else shapes, connected

    # ---- configuration ---------------------------------------------------
    def _tensor_ref(self, tensor):
        """``[layer name, node index, tensor index]`` as in Keras's configs."""
        return [tensor.node.layer.name, tensor.node.index_in_layer, tensor.index]

    def get_config(self):
        """Keras-like: layers with their inbound nodes, input and output references."""
        layers = []
        for layer in self.operations:
            nodes = [node for node in layer.inbound_nodes if node in self._nodes]
            layers.append({"class_name": type(layer).__name__, "name": layer.name,
                           "config": layer.get_config(),
                           "inbound_nodes": [{"inputs": [self._tensor_ref(t) for t in node.inputs],
                                              "multiple_inputs": node.multiple_inputs,
                                              "kwargs": node.kwargs} for node in nodes]})
        kind, keys = self.output_structure
        config = {"name": self.name, "layers": layers,
                  "input_layers": [self._tensor_ref(t) for t in self.inputs],
                  "output_layers": [self._tensor_ref(t) for t in self.outputs]}
        if self.input_structure[0] == "dict":
            config["input_keys"] = self.input_structure[1]
        if kind == "dict":
            config["output_keys"] = keys
        elif kind == "single":
            config["single_output"] = True
        return config

    @classmethod
    def from_config(cls, config, make_layer=None):
        """Rebuild the graph: each layer from the registry, then its calls in an order whose
        inputs exist (as Keras: retry until every node is made).

        ``make_layer(spec)`` builds a layer from ``{"class_name", "config", ...}`` instead of
        the registry (``clone_model``'s ``clone_function``).
        """
        layers, pending = {}, []
        for spec in config["layers"]:
            layer = (make_layer(spec) if make_layer is not None else
                     LAYERS.get(spec["class_name"]).from_config(dict(spec["config"])))
            layers[spec["name"]] = layer
            for position, node in enumerate(spec.get("inbound_nodes", [])):
                pending.append((spec["name"], position, node))
        made = {}                  # (layer name, node index) -> output tensors

        def tensor(ref):
            name, node_index, tensor_index = ref
            if isinstance(layers.get(name), InputLayer):
                return layers[name].inbound_nodes[0].outputs[tensor_index]
            outputs = made.get((name, node_index))
            return None if outputs is None else outputs[tensor_index]

        while pending:
            progress = False
            for item in list(pending):
                name, position, node = item
                inputs = [tensor(ref) for ref in node["inputs"]]
                if any(t is None for t in inputs):
                    continue
                out = layers[name](inputs if node.get("multiple_inputs") else inputs[0],
                                   **node.get("kwargs", {}))
                made[(name, position)] = out if isinstance(out, list) else [out]
                pending.remove(item)
                progress = True
            if not progress:
                raise InvalidArgumentError(f"Model.from_config: the nodes of "
                                           f"{sorted({p[0] for p in pending})} read tensors that "
                                           f"no layer makes")
        inputs = [tensor(ref) for ref in config["input_layers"]]
        outputs = [tensor(ref) for ref in config["output_layers"]]
        if "input_keys" in config:
            inputs = dict(zip(config["input_keys"], inputs))
        if "output_keys" in config:
            outputs = dict(zip(config["output_keys"], outputs))
        elif config.get("single_output"):
            outputs = outputs[0]
        if len(inputs) == 1 and not isinstance(inputs, dict):
            inputs = inputs[0]
        return cls(inputs, outputs, name=config.get("name"))


LAYERS.alias("Model", Functional)      # nnkit's checkpoints before Keras 3's class name
