"""Model: Keras's base model class; a subclass with layers made in ``__init__`` and a
``call()`` trains, evaluates, predicts, saves and resumes like a graph model.

``nnkit.Model(inputs, outputs)`` gives a graph model (``Functional``, as in Keras 3).
``class MyModel(nnkit.Model)`` with ``call(inputs, training=None, mask=None)`` is run by
tracing ``call`` (``nnkit.layers.traced_call``): its graph is one node, the call's body,
whose sub-layers become ``model.layers`` on the first call (or ``build``). Python control
flow on shapes and on ``training`` works; the gradient is the reverse of the traced ops'
and layers' hand-written backwards.
"""
import inspect

import numpy

from nnkit import config, validation
from nnkit.backend import get_backend
from nnkit.errors import InvalidArgumentError
from nnkit.graph.runner import GraphRunner, RunNode
from nnkit.layers.base import Layer
from nnkit.layers.inference_plan import InferencePlan
from nnkit.layers.recurrent.stateful import states_held
from nnkit.models.base_model import BaseModel


class CallBody(Layer):
    """The one node of a subclassed model: runs ``model.call`` (traced)."""

    supports_masking = True

    def __init__(self, model):
        super().__init__(name=f"{model.name}/call")
        self.model = model
        parameters = inspect.signature(model.call).parameters
        self.passes = {name for name in ("training", "mask") if name in parameters}

    def call(self, inputs, training=None, mask=None):
        given = {"training": training, "mask": mask}
        return self.model.call(inputs, **{name: given[name] for name in self.passes})


class Model(BaseModel):
    """Keras's ``Model``: ``Model(inputs, outputs)`` is a graph model; a subclass writes
    ``__init__`` (its layers) and ``call(inputs, training=None, mask=None)``.

    Example:
        >>> class TwoLayers(nnkit.Model):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.hidden = nnkit.layers.Dense(16, activation="relu")
        ...         self.out = nnkit.layers.Dense(2, activation="softmax")
        ...     def call(self, inputs, training=None):
        ...         return self.out(self.hidden(inputs))
    """

    def __new__(cls, *args, **kwargs):
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            from nnkit.models.functional import Functional   # a subclass of this class
            return super().__new__(Functional)
        return super().__new__(cls)

    def __init__(self, *args, name=None, trainable=True, **kwargs):
        if args or "inputs" in kwargs or "outputs" in kwargs:
            raise InvalidArgumentError(
                f"{type(self).__name__}: a Model subclass builds its graph in call(); to give "
                f"inputs and outputs, use nnkit.Model(inputs, outputs) itself")
        if kwargs.pop("dtype", None) not in (None, config.floatx()):
            raise InvalidArgumentError(f"{type(self).__name__}: nnkit models compute in "
                                       f"floatx ({config.floatx()!r}); set it with "
                                       f"nnkit.config.set_floatx before making the model")
        if kwargs:
            raise InvalidArgumentError(f"{type(self).__name__}: unexpected arguments "
                                       f"{sorted(kwargs)}")
        super().__init__(name=name)
        self.trainable = validation.flag(self.where, "trainable", trainable)
        self._body = None
        self._structure = None            # (number of inputs, number of outputs) once traced
        self._tracked = 0                 # sub-layers the traced calls had met at the last look

    def call(self, inputs, training=None, mask=None):
        """The model's computation (a subclass defines it)."""
        raise NotImplementedError(f"model '{self.name}': a Model subclass defines call()")

    # ---- the graph: one traced node ---------------------------------------------------
    def body(self):
        if self._body is None:
            self._body = CallBody(self)
        return self._body

    @property
    def built(self):
        return self._structure is not None

    def build(self, input_shape):
        """Build from example shapes with the batch axis (Keras's ``model.build((None, 8))``;
        a list for several inputs) by calling the model on zeros of floatx."""
        several = isinstance(input_shape, list)
        shapes = input_shape if several else [input_shape]
        zeros = [get_backend().xp.zeros((1,) + tuple(8 if s is None else s for s in shape[1:]),
                                        dtype=self.dtype) for shape in shapes]
        self.call_graph(zeros, [None] * len(zeros), False)

    def adopt_inputs(self, xs):
        """Fix the number of inputs from the first data (a subclassed model has no Input)."""
        if self._structure is None:
            self._inputs = len(xs)

    def call_graph(self, inputs, masks, training, plan=None):
        if self._structure is None:
            self._trace(inputs, masks)
        result = super().call_graph(inputs, masks, training, plan)
        if len(self.body().sublayers()) != self._tracked:    # a new trace met a new layer
            self._adopt_layers()
        return result

    def batch_output_shapes(self, xs):
        if self._structure is None:
            self._trace([get_backend().asarray(x[:1]) for x in xs], [None] * len(xs))
        return super().batch_output_shapes(xs)

    def _trace(self, inputs, masks):
        body = self.body()
        with states_held():               # tracing leaves stateful layers' states alone
            y, _ = body.apply(inputs if len(inputs) > 1 else inputs[0], False,
                              masks if len(inputs) > 1 else masks[0])
        outputs = len(y) if isinstance(y, (list, tuple)) else 1
        self._structure = (len(inputs), outputs)
        self._input_example = [(tuple(x.shape[1:]), str(x.dtype)) for x in inputs]
        self._adopt_layers()

    def _adopt_layers(self):
        """``layers``: the layers assigned as attributes (Keras's tracking, in assignment
        order), then any other layer a traced call used; their weights become the model's."""
        traced = list(self.body().sublayers().values())
        owned = [value for value in vars(self).values() if isinstance(value, Layer)
                 and value is not self._body]
        self.layers = owned + [layer for layer in traced if not any(layer is o for o in owned)]
        self._tracked = len(traced)
        self.collect_weights()

    def inference_plan(self):
        """No folds: the one node is the traced call (its inner Embedding → recurrent edges
        run unfolded)."""
        return InferencePlan([], self._projections)

    def runner(self):
        if self._structure is None:
            raise InvalidArgumentError(f"model '{self.name}' is not built: call it on data, "
                                       f"fit it, or call build(input_shape)")
        count, outputs = self._structure
        if getattr(self, "_runner", None) is None:
            node = RunNode(self.body(), list(range(count)), list(range(count, count + outputs)),
                           multiple_inputs=count > 1, multiple_outputs=outputs > 1)
            self._runner = GraphRunner([node], list(range(count)),
                                       list(range(count, count + outputs)))
        return self._runner

    multiple_inputs = property(lambda self: (self._structure or (getattr(self, "_inputs", 1),))[0] > 1)
    multiple_outputs = property(lambda self: self._structure is not None and self._structure[1] > 1)

    @property
    def input_names(self):
        count = self._structure[0] if self._structure else getattr(self, "_inputs", 1)
        return [f"input_{i + 1}" for i in range(count)]

    @property
    def output_names(self):
        count = self._structure[1] if self._structure else 1
        return [f"output_{i + 1}" for i in range(count)]

    @property
    def output_structure(self):
        return ("list" if self.multiple_outputs else "single", self.output_names)

    def output_shapes(self, input_shape):
        return [tuple(shape) for shape in self.batch_output_shapes(
            [numpy.zeros((1,) + tuple(shape), dtype=self.dtype)
             for shape in (input_shape if isinstance(input_shape, list) else [input_shape])])]

    def check_model_inputs(self, xs):
        """A subclassed model takes any shapes its call() takes."""

    def summary_rows(self):
        for layer in self.layers:
            yield layer, "?", ""

    # ---- configuration: the subclass's own, plus what rebuilds the weights ---------------
    def get_config(self):
        """``{"name", "trainable"}`` plus what ``from_config`` needs to rebuild the weights;
        a subclass with constructor arguments adds them (Keras's rule)."""
        config = {"name": self.name, "trainable": self.trainable}
        if self._structure is not None:
            config["build_inputs"] = [[list(shape), dtype] for shape, dtype in
                                      self._input_example]
            config["layers"] = [{"class_name": type(layer).__name__,     # weights by position
                                 "config": {"name": layer.name}} for layer in self.layers]
        return config

    @classmethod
    def from_config(cls, config):
        if cls is Model and "input_layers" in config:      # a graph model's config (Keras)
            from nnkit.models.functional import Functional
            return Functional.from_config(config)
        config = dict(config)
        config.pop("layers", None)
        inputs = config.pop("build_inputs", None)
        model = cls(**config)
        if inputs:
            zeros = [numpy.zeros((1,) + tuple(8 if s is None else s for s in shape), dtype=dtype)
                     for shape, dtype in inputs]
            model.call_graph([get_backend().asarray(z) for z in zeros], [None] * len(zeros),
                             False)
        return model
