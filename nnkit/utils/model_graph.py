"""The picture of a model as plain data: its boxes (one per layer), clusters and arrows.

``plot_model``/``model_to_dot`` draw this with pydot; it is kept apart so that what is drawn can
be read (and tested) without pydot or graphviz. It follows Keras 3's ``model_to_dot``: a
Sequential is a chain of its layers (no input box), a functional model shows its ``InputLayer``
boxes and one arrow per tensor a layer reads, a nested model is one box, or with
``expand_nested`` a cluster whose boxes the outer arrows reach into.
"""
from dataclasses import dataclass, field

from nnkit import config
from nnkit.errors import InvalidArgumentError, NotBuiltError
from nnkit.registry import LAYERS


@dataclass
class Box:
    """One layer: what its label shows. Shapes are ``(None, ...)`` tuples (lists for several)."""
    layer: object
    input_shape: object = None
    output_shape: object = None
    output_dtype: object = None


@dataclass
class Diagram:
    """A model's boxes, its expanded nested models (``clusters``) and its arrows (pairs of layers)."""
    model: object
    boxes: list = field(default_factory=list)
    clusters: list = field(default_factory=list)
    edges: list = field(default_factory=list)

    def all_edges(self):
        """Arrows of this diagram and of every cluster inside it, as ``(source, destination)`` layers."""
        return self.edges + [edge for cluster in self.clusters for edge in cluster.all_edges()]


def model_diagram(model, expand_nested=False):
    """The ``Diagram`` of a built nnkit model.

    Raises:
        InvalidArgumentError: ``model`` is not an nnkit model.
        NotBuiltError: the model has no weights yet (as Keras, which refuses unbuilt models).
    """
    if not getattr(model, "is_model", False):
        raise InvalidArgumentError(f"plot_model: expected an nnkit model, received {type(model).__name__}")
    if not model.built:
        raise NotBuiltError(f"plot_model: model '{model.name}' is not built yet; build it first by "
                            f"calling build(), giving the first layer input_shape, or fitting it")
    diagram = Diagram(model)
    if _is_sequential(model):
        steps = _sequential_boxes(model)
        links = [(steps[i].layer, steps[i + 1].layer, 0, 0) for i in range(len(steps) - 1)]
    elif hasattr(model, "inputs") and hasattr(model, "outputs"):
        steps, links = _functional_boxes_and_links(model)
    else:
        diagram.boxes.append(Box(model))
        return diagram
    for box in steps:
        if expand_nested and getattr(box.layer, "is_model", False):
            diagram.clusters.append(model_diagram(box.layer, expand_nested=True))
        else:
            diagram.boxes.append(box)
    for source, destination, output_index, input_index in links:
        if expand_nested:
            source, destination = _last_inner(source, output_index), _first_inner(destination, input_index)
        if (source, destination) not in diagram.edges:
            diagram.edges.append((source, destination))
    return diagram


def _is_sequential(model):
    return isinstance(model, LAYERS.get("Sequential"))


def _sequential_boxes(model):
    """A box per layer, with shapes chained from the model's input shape."""
    shape = (None,) + tuple(model.build_input_shape)
    dtype = "int32" if model.layers[0].input_kind == "index" else config.floatx()
    boxes = []
    for layer, output_shape, _ in model.summary_rows():
        dtype = layer.output_dtype(dtype)
        boxes.append(Box(layer, shape, tuple(output_shape), dtype))
        shape = tuple(output_shape)
    return boxes


def _functional_boxes_and_links(model):
    """Boxes in ``model.layers`` order (shapes from each layer's first call in this graph), and
    links ``(source layer, destination layer, output index, input index)``, one per tensor read."""
    nodes = _nodes_of(model)
    first_node = {}
    for node in nodes:
        first_node.setdefault(id(node.layer), node)
    boxes = []
    for layer in model.layers:
        node = first_node[id(layer)]
        inputs = [t.shape for t in node.inputs]
        outputs = [t.shape for t in node.outputs]
        boxes.append(Box(layer, _one_or_list(inputs), _one_or_list(outputs), node.outputs[0].dtype))
    links = [(tensor.node.layer, node.layer, tensor.index, input_index)
             for node in nodes for input_index, tensor in enumerate(node.inputs)]
    return boxes, links


def _nodes_of(model):
    """The calls recorded between the model's inputs and outputs, in the order they were made."""
    inputs = {id(tensor) for tensor in model.inputs}
    found = {tensor.node.order: tensor.node for tensor in model.inputs}   # also inputs no output reads
    pending = list(model.outputs)
    while pending:
        tensor = pending.pop()
        if tensor.node.order not in found:
            found[tensor.node.order] = tensor.node
            if id(tensor) not in inputs:
                pending.extend(tensor.node.inputs)
    return [found[order] for order in sorted(found)]


def _one_or_list(shapes):
    if not shapes:
        return None
    return tuple(shapes[0]) if len(shapes) == 1 else [tuple(shape) for shape in shapes]


def _last_inner(layer, output_index):
    """The innermost layer that makes output ``output_index`` of ``layer`` (itself unless a model)."""
    while getattr(layer, "is_model", False):
        if _is_sequential(layer):
            layer = layer.layers[-1]
        else:
            tensor = layer.outputs[output_index]
            layer, output_index = tensor.node.layer, tensor.index
    return layer


def _first_inner(layer, input_index):
    """The innermost layer that reads input ``input_index`` of ``layer`` (its InputLayer for a graph)."""
    while getattr(layer, "is_model", False):
        if _is_sequential(layer):
            layer, input_index = layer.layers[0], 0
        else:
            layer = layer.inputs[input_index].node.layer
    return layer
