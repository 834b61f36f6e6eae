"""BaseModel: what Sequential and graph models share, as a Layer and as a Trainer.

A model is a list of layers run by one ``GraphRunner`` (``runner()``), so
Sequential and graph models have one forward and one backward order, one fit
loop (``Trainer``) and one saver. A model is also a layer: it can be called
inside another model (on arrays or on symbolic tensors), with its parameters
exposed as ``"<layer>/<key>"`` and its runner state kept as its cache.
"""
import numpy

from nnkit.errors import InvalidArgumentError, NotBuiltError, ShapeError
from nnkit.layers.inference_plan import InferencePlan
from nnkit.layers.recurrent.stateful import states_held
from nnkit.layers.base import Layer
from nnkit.layers.table_input import ProjectionStore
from nnkit.models.training import Trainer


class BaseModel(Layer, Trainer):
    """Shared parameters, weights, running and summary of models.

    A subclass gives ``runner()`` (a GraphRunner over ``self.layers``),
    ``multiple_inputs``/``multiple_outputs``, ``output_shapes`` and the config.
    """

    is_model = True
    supports_masking = True

    def __init__(self, name=None):
        Layer.__init__(self, name=name)
        Trainer.__init__(self)
        self.layers = []
        self.needs_input_grad = False     # a model's inputs need no gradient unless nested
        self._probed_shapes = (None, {})  # (runner, {input example shapes: output shapes})
        self._projections = ProjectionStore()   # projected table rows (nnkit.layers.table_input)

    # ---- parameters ------------------------------------------------------
    def collect_weights(self):
        """Expose every layer's arrays as ``"<layer>/<key>"`` (aliases), in layer order."""
        self.params, self.grads = {}, {}
        self.non_trainable_keys = set()
        for layer in self.layers:
            for key in layer.params:
                self.params[f"{layer.name}/{key}"] = layer.params[key]
                self.grads[f"{layer.name}/{key}"] = layer.grads[key]
            self.non_trainable_keys.update(f"{layer.name}/{key}"
                                           for key in layer.non_trainable_keys)

    def trainable_keys(self):
        if not self.trainable:
            return []
        return [f"{layer.name}/{key}" for layer in self.layers for key in layer.trainable_keys()]

    def named_parameters(self):
        """``{"<layer>/<key>": array}`` of trainable parameters (nested models' included).

        ``params`` is collected when the model builds (``collect_weights``), not per call.
        """
        return {key: self.params[key] for key in self.trainable_keys()}

    def named_gradients(self):
        return {key: self.grads[key] for key in self.trainable_keys()}

    def named_gradient_rows(self):
        """``{"<layer>/<key>": rows}``: gradients known to be zero outside ``rows``."""
        rows = {}
        for layer in self.layers:
            known = (layer.named_gradient_rows() if getattr(layer, "is_model", False)
                     else layer.grad_rows)
            rows.update({f"{layer.name}/{key}": value for key, value in known.items()
                         if key in layer.trainable_keys()})
        return rows

    @property
    def grad_rows(self):
        """A model's gradient rows come from its layers (read-only)."""
        return self.named_gradient_rows()

    def zero_grads(self):
        for layer in self.layers:
            layer.zero_grads()

    def leaf_layers(self):
        """Every layer that owns weights, nested models and wrappers' children included."""
        leaves, pending = [], list(self.layers)
        while pending:
            layer = pending.pop(0)
            if getattr(layer, "is_model", False):
                leaves.extend(layer.leaf_layers())
            elif hasattr(layer, "children"):
                pending[:0] = list(layer.children().values())
            else:                          # a call() layer's sub-layers are leaves too
                leaves.append(layer)
                pending[:0] = list(layer.sublayers().values())
        return leaves

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

    def reset_states(self):
        """Set every stateful recurrent layer's carried states to zeros (Keras 2's
        ``model.reset_states()``)."""
        for layer in self.leaf_layers():
            if getattr(layer, "stateful", False):
                layer.reset_states()

    def get_layer(self, name=None, index=None):
        """The layer called ``name`` (or at position ``index``), as Keras's ``get_layer``."""
        if index is not None:
            if not -len(self.layers) <= index < len(self.layers):
                raise InvalidArgumentError(f"model '{self.name}': get_layer index {index} is out "
                                           f"of range for {len(self.layers)} layers")
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise InvalidArgumentError(f"model '{self.name}' has no layer named {name!r}; its layers "
                                   f"are {[layer.name for layer in self.layers]}")

    def _require_built(self, what):
        if not self.built:
            raise NotBuiltError(f"model '{self.name}' is not built: {what} needs weights; give "
                                f"the first layer input_shape, call build(), or fit first")

    def takes_strings(self):
        """Per input: True/False whether it takes strings, None when its first layer decides
        (a subclassed model)."""
        return [None] * len(self.input_names)

    def adopt_inputs(self, xs):
        """Learn the number of inputs from the first data (a subclassed model; else no-op)."""

    # ---- running ---------------------------------------------------------
    def call_graph(self, inputs, masks, training, plan=None):
        """Run the model on lists of arrays and masks; returns ``(outputs, output masks)``.

        In training, what backward needs is kept as this model's cache; in inference nothing
        is kept. ``plan``: the ``InferencePlan`` of a running predict/evaluate call.
        """
        runner = self.runner()
        outputs, output_masks, state = runner.forward(inputs, masks, training, plan)
        if training:
            self._cache = (runner, state)
        return outputs, output_masks

    def inference_plan(self):
        """A fresh ``InferencePlan`` for one predict/evaluate call of this model."""
        return InferencePlan(self.runner().nodes, self._projections)

    def apply(self, x, training=False, mask=None, **kwargs):
        """As a layer: ``(output, output_mask)`` (lists for several inputs or outputs)."""
        xs = list(x) if self.multiple_inputs else [x]
        masks = (list(mask) if mask is not None else [None] * len(xs)) \
            if self.multiple_inputs else [mask]
        outputs, output_masks = self.call_graph(xs, masks, training)
        if self.multiple_outputs:
            return outputs, output_masks
        return outputs[0], output_masks[0]

    def forward(self, x, training=False, mask=None):
        return self.apply(x, training=training, mask=mask)[0]

    def compute_mask(self, x, mask):
        return self.apply(x, training=False, mask=mask)[1]

    def backward(self, dy):
        """Backpropagate ``dy`` (a list for several outputs); returns ``dx`` (None for ids)."""
        runner, state = self._cache
        self._cache = None
        runner.set_input_grad(self.needs_input_grad)     # set by an outer model, or a checker
        d_inputs = runner.backward(list(dy) if self.multiple_outputs else [dy], state)
        return d_inputs if self.multiple_inputs else d_inputs[0]

    def clear_cache(self):
        self._cache = None
        for layer in self.layers:
            layer.clear_cache()

    def batch_output_shapes(self, xs):
        """``(N, ...)`` of every output for inputs ``xs`` (validated).

        The example shapes come from a one-example probe, run once per runner and distinct
        input example shapes and dtypes (so once for arrays of one shape, not per batch).
        """
        self.check_model_inputs(xs)
        runner = self.runner()
        key = tuple((tuple(x.shape[1:]), x.dtype.str) for x in xs)
        if self._probed_shapes[0] is not runner:
            self._probed_shapes = (runner, {})
        shapes = self._probed_shapes[1].get(key)
        if shapes is None:
            with states_held():            # a stateful layer keeps its batch size and states
                outputs, _ = self.call_graph([x[:1] for x in xs], [None] * len(xs), False)
            shapes = self._probed_shapes[1][key] = [tuple(o.shape[1:]) for o in outputs]
        return [(xs[0].shape[0],) + shape for shape in shapes]

    def summary(self, print_fn=print):
        """Print each layer's name, class, output shape, parameter count and inputs."""
        self._require_built("summary")
        rows = [("Layer (type)", "Output shape", "Params", "Connected to")]
        for layer, shape, connected in self.summary_rows():
            rows.append((f"{layer.name} ({type(layer).__name__})", str(shape),
                         f"{layer.count_params():,}", connected))
        widths = [max(len(row[i]) for row in rows) + 2 for i in range(4)]
        line = "-" * sum(widths)
        print_fn(f'Model: "{self.name}"')
        print_fn(line)
        for i, row in enumerate(rows):
            print_fn("".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
            print_fn("=" * len(line) if i == 0 else line)
        trainable = sum(int(numpy.prod(p.shape)) for p in self.named_parameters().values())
        print_fn(f"Total params: {self.count_params():,}")
        print_fn(f"Trainable params: {trainable:,}")
        print_fn(f"Non-trainable params: {self.count_params() - trainable:,}")
