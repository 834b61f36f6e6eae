"""Sequential: a stack of layers, each feeding the next, with its mask."""
from nnkit.errors import InvalidArgumentError, ShapeError
from nnkit.graph.runner import GraphRunner, RunNode
from nnkit.layers.base import Layer
from nnkit.layers.input_layer import Input, InputLayer
from nnkit.layers.symbolic import is_symbolic
from nnkit.models.base_model import BaseModel
from nnkit.registry import LAYERS, register_layer


@register_layer
class Sequential(BaseModel):
    """A linear stack of layers (Keras's ``Sequential``), run as a chain graph.

    The mask made by a layer (``Embedding(mask_zero=True)``) flows through the
    following layers and, if it reaches the output, weights the loss. The
    chain runs through the same ``GraphRunner`` as graph models (one node per
    layer), and a Sequential can itself be a layer of another model.

    Args:
        layers: initial layers; the first may be ``nnkit.Input(shape)`` (or an
            ``InputLayer``), which fixes the input shape and dtype as in Keras 3
            (``model.layers`` does not list it).
        trainable: whether optimizers update the layers' parameters.
        name: model name.

    Example:
        >>> model = nnkit.Sequential([nnkit.Dense(20, activation="sigmoid", input_shape=(100,)),
        ...                           nnkit.Dense(2, activation="softmax")])
        >>> model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
        >>> history = model.fit(x, y, batch_size=5, epochs=5)
    """

    multiple_inputs = False
    multiple_outputs = False

    def __init__(self, layers=None, trainable=True, name="sequential"):
        super().__init__(name=name)
        self.trainable = trainable
        self.build_input_shape = None
        self.input_layer = None
        self._runner = None
        self._graph = None
        for layer in layers or []:
            self.add(layer)

    def add(self, layer):
        """Append ``layer``; builds the model once the input shape is known (an ``Input``
        first, or a first layer that declares ``input_shape``)."""
        if is_symbolic(layer) and isinstance(layer.node.layer, InputLayer):
            layer = layer.node.layer
        if isinstance(layer, InputLayer):
            self._set_input(layer)
            return
        if not isinstance(layer, Layer):
            raise InvalidArgumentError(f"Sequential.add: expected a nnkit Layer, received "
                                       f"{type(layer).__name__}")
        if any(existing.name == layer.name for existing in self.layers):
            raise InvalidArgumentError(f"Sequential.add: a layer named '{layer.name}' is "
                                       f"already in the model; layer names must be unique")
        previous_built = self.built
        self.layers.append(layer)
        self._runner = self._graph = None
        if len(self.layers) == 1 and (layer.input_shape is not None or
                                      self.input_layer is not None):
            self.build(layer.input_shape if self.input_layer is None else
                       self.input_layer.shape)
        elif previous_built and not layer.built:
            layer.ensure_built(self.example_output_shape(self.build_input_shape, upto=-1))
        self.collect_weights()

    def _set_input(self, input_layer):
        if self.layers or self.input_layer is not None:
            raise InvalidArgumentError(
                f"Sequential '{self.name}': an Input can only be the first entry; this model "
                f"already has " + (f"the input shape {self.input_layer.shape}" if
                                   self.input_layer is not None else
                                   f"the layers {[l.name for l in self.layers]}"))
        self.input_layer = input_layer
        self.build_input_shape = input_layer.shape

    def pop(self):
        """Remove and return the last layer (Keras's ``Sequential.pop``)."""
        if not self.layers:
            raise InvalidArgumentError(f"model '{self.name}': pop on a model with no layers")
        self._runner = self._graph = None
        layer = self.layers.pop()
        self.collect_weights()
        return layer

    def runner(self):
        """The chain graph: layer i reads tensor i and writes tensor i + 1."""
        if not self.layers:
            raise ShapeError(f"model '{self.name}' has no layers")
        if self._runner is None:
            nodes = [RunNode(layer, [i], [i + 1]) for i, layer in enumerate(self.layers)]
            self._runner = GraphRunner(nodes, [0], [len(self.layers)])
        return self._runner

    @property
    def inputs(self):
        """``[Input]`` of the built model's graph (Keras 3: a built Sequential is a graph)."""
        return self._symbolic_graph()[0]

    @property
    def outputs(self):
        return self._symbolic_graph()[1]

    @property
    def input(self):
        """Keras's ``model.input``: the built model's input tensor."""
        return self.inputs[0]

    @property
    def output(self):
        """Keras's ``model.output``: the built model's output tensor."""
        return self.outputs[0]

    def _symbolic_graph(self):
        """Call each layer on a symbolic ``Input`` once, so that ``layer.output`` exists and
        ``nnkit.Model(model.inputs, model.get_layer(name).output)`` extracts features."""
        if self._graph is None:
            self._require_built("inputs")
            first = self.layers[0]
            if self.input_layer is not None:
                tensor = source = self.input_layer.inbound_nodes[0].outputs[0]
            else:
                kind = {"index": "int32", "string": "string"}.get(first.input_kind)
                tensor = source = Input(self.build_input_shape, name=f"{self.name}_input",
                                        dtype=kind)
            for layer in self.layers:
                tensor = layer(tensor)
            self._graph = ([source], [tensor] if not isinstance(tensor, list) else tensor)
        return self._graph

    # ---- building --------------------------------------------------------
    @property
    def built(self):
        """A Sequential model is built when all its layers are (read-only)."""
        return bool(self.layers) and all(layer.built for layer in self.layers)

    def build(self, input_shape):
        """Create every layer's parameters for examples of shape ``input_shape``."""
        shape = tuple(input_shape)
        self.build_input_shape = shape
        dtype = None if self.input_layer is None else self.input_layer.input_dtype
        for layer in self.layers:
            if not layer.built:
                layer.ensure_built(shape, dtype)
            shape, dtype = layer.example_output_shape(shape), None
        self.collect_weights()

    def example_output_shape(self, input_shape, upto=None):
        shape = tuple(input_shape)
        for layer in self.layers[:upto]:
            shape = layer.example_output_shape(shape)
        return shape

    def output_shapes(self, input_shape):
        return [self.example_output_shape(input_shape)]

    def call_graph(self, inputs, masks, training, plan=None):
        if self.build_input_shape is None:
            self.build_input_shape = tuple(inputs[0].shape[1:])
        was_built = self.built
        result = super().call_graph(inputs, masks, training, plan)
        if not was_built:
            self.collect_weights()
        return result

    def batch_output_shapes(self, xs):
        if not self.built:
            return super().batch_output_shapes(xs)
        self.check_model_inputs(xs)      # no forward pass: train_on_batch checks every batch
        return [(xs[0].shape[0],) + tuple(self.example_output_shape(xs[0].shape[1:]))]

    output_structure = property(lambda self: ("single", self.output_names))

    def check_model_inputs(self, xs):
        """Validate one batch's inputs against the first layer (no forward pass)."""
        self.layers[0].check_input(xs[0][:1])

    def summary_rows(self):
        shape = self.build_input_shape
        previous = None
        for layer in self.layers:
            shape = layer.example_output_shape(shape)
            yield layer, (None,) + tuple(shape), "" if previous is None else previous
            previous = layer.name

    def takes_strings(self):
        """``[whether the model takes strings]``: an Input of dtype "string" first, or a
        first layer that takes them (TextVectorization)."""
        if self.input_layer is not None:
            return [self.input_layer.input_dtype in ("string", "object")]
        return [bool(self.layers) and self.layers[0].input_kind == "string"]

    @property
    def output_names(self):
        return [self.layers[-1].name] if self.layers else []

    @property
    def input_names(self):
        return [self.layers[0].name] if self.layers else []

    # ---- configuration ---------------------------------------------------
    def get_config(self):
        return {"name": self.name,
                "build_input_shape": None if self.build_input_shape is None
                else list(self.build_input_shape),
                "layers": [{"class_name": type(layer).__name__, "config": layer.get_config()}
                           for layer in self.layers]}

    @classmethod
    def from_config(cls, config):
        """Rebuild from ``get_config`` output; only registered layer classes can appear."""
        model = cls(name=config.get("name", "sequential"))
        for spec in config["layers"]:
            model.add(LAYERS.get(spec["class_name"]).from_config(dict(spec["config"])))
        if config.get("build_input_shape") is not None and not model.built:
            model.build(tuple(config["build_input_shape"]))
        return model
