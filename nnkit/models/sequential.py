"""Sequential: a stack of layers, each feeding the next, with its mask."""
from nnkit.errors import InvalidArgumentError, NotBuiltError, ShapeError
from nnkit.layers.base import Layer
from nnkit.models.training import Trainer
from nnkit.registry import LAYERS


class Sequential(Trainer):
    """A linear stack of layers (Keras's ``Sequential``).

    The mask made by a layer (``Embedding(mask_zero=True)``) flows through the
    following layers and, if it reaches the output, weights the loss.

    Args:
        layers: initial layers.
        name: model name.

    Example:
        >>> model = nnkit.Sequential([nnkit.Dense(20, activation="sigmoid", input_shape=(100,)),
        ...                           nnkit.Dense(2, activation="softmax")])
        >>> model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
        >>> history = model.fit(x, y, batch_size=5, epochs=5)
    """

    def __init__(self, layers=None, name="sequential"):
        super().__init__()
        self.name = name
        self.layers = []
        self.build_input_shape = None
        for layer in layers or []:
            self.add(layer)

    def add(self, layer):
        """Append ``layer``; builds the model if the first layer declares ``input_shape``."""
        if not isinstance(layer, Layer):
            raise InvalidArgumentError(f"Sequential.add: expected a nnkit Layer, received "
                                       f"{type(layer).__name__}")
        if any(existing.name == layer.name for existing in self.layers):
            raise InvalidArgumentError(f"Sequential.add: a layer named '{layer.name}' is "
                                       f"already in the model; layer names must be unique")
        layer.needs_input_grad = bool(self.layers)
        previous_built = self.built
        self.layers.append(layer)
        if len(self.layers) == 1 and layer.input_shape is not None:
            self.build(layer.input_shape)
        elif previous_built and not layer.built:
            layer.build(self.compute_output_shape(self.build_input_shape, upto=-1))

    # ---- building --------------------------------------------------------
    @property
    def built(self):
        return bool(self.layers) and all(layer.built for layer in self.layers)

    def build(self, input_shape):
        """Create every layer's parameters for examples of shape ``input_shape``."""
        shape = tuple(input_shape)
        self.build_input_shape = shape
        for layer in self.layers:
            if not layer.built:
                layer.build(shape)
            shape = layer.compute_output_shape(shape)

    def compute_output_shape(self, input_shape, upto=None):
        shape = tuple(input_shape)
        for layer in self.layers[:upto]:
            shape = layer.compute_output_shape(shape)
        return shape

    def _require_built(self, what):
        if not self.built:
            raise NotBuiltError(f"model '{self.name}' is not built: {what} needs weights; give "
                                f"the first layer input_shape, call build(), or fit first")

    # ---- running ---------------------------------------------------------
    def __call__(self, x, training=False, mask=None):
        """Output of the model on ``x`` (backend array)."""
        return self.forward(x, training=training, mask=mask)[0]

    def forward(self, x, training=False, mask=None):
        """Run every layer; returns ``(output, output_mask)``."""
        if not self.layers:
            raise ShapeError(f"model '{self.name}' has no layers")
        if self.build_input_shape is None:
            self.build_input_shape = tuple(x.shape[1:])
        for layer in self.layers:
            x, mask = layer.apply(x, training=training, mask=mask)
        return x, mask

    def backward(self, dy):
        """Backpropagate ``dy`` through every layer; returns ``dx`` (None for ids)."""
        for layer in reversed(self.layers):
            dy = layer.backward(dy)
        return dy

    def clear_cache(self):
        for layer in self.layers:
            layer.clear_cache()

    # ---- parameters ------------------------------------------------------
    def named_parameters(self):
        """``{"<layer>/<key>": array}`` of trainable parameters."""
        return {f"{layer.name}/{key}": layer.params[key] for layer in self.layers
                for key in layer.trainable_keys()}

    def named_gradients(self):
        return {f"{layer.name}/{key}": layer.grads[key] for layer in self.layers
                for key in layer.trainable_keys()}

    def named_gradient_rows(self):
        """``{"<layer>/<key>": rows}``: gradients known to be zero outside ``rows``."""
        return {f"{layer.name}/{key}": layer.grad_rows[key] for layer in self.layers
                for key in layer.trainable_keys() if key in layer.grad_rows}

    def zero_grads(self):
        for layer in self.layers:
            layer.zero_grads()

    def get_weights(self):
        """All parameters as host arrays, layer by layer in Keras's order."""
        return [w for layer in self.layers for w in layer.get_weights()]

    def set_weights(self, weights):
        self._require_built("set_weights")
        weights = list(weights)
        expected = sum(len(layer.params) for layer in self.layers)
        if len(weights) != expected:
            raise ShapeError(f"model '{self.name}': set_weights expected {expected} arrays, "
                             f"received {len(weights)}")
        for layer in self.layers:
            count = len(layer.params)
            layer.set_weights(weights[:count])
            weights = weights[count:]

    def count_params(self):
        return sum(layer.count_params() for layer in self.layers)

    def summary(self, print_fn=print):
        """Print each layer's name, class, output shape and parameter count."""
        self._require_built("summary")
        rows = [("Layer (type)", "Output shape", "Params")]
        shape = self.build_input_shape
        for layer in self.layers:
            shape = layer.compute_output_shape(shape)
            rows.append((f"{layer.name} ({type(layer).__name__})", str((None,) + tuple(shape)),
                         f"{layer.count_params():,}"))
        widths = [max(len(row[i]) for row in rows) + 2 for i in range(3)]
        line = "-" * sum(widths)
        print_fn(f'Model: "{self.name}"')
        print_fn(line)
        for i, row in enumerate(rows):
            print_fn("".join(cell.ljust(width) for cell, width in zip(row, widths)))
            print_fn("=" * len(line) if i == 0 else line)
        print_fn(f"Total params: {self.count_params():,}")

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
