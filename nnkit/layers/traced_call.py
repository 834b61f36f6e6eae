"""TracedCall: a layer written with Keras's ``call()`` runs as the graph of what it called.

Chosen design (Theano's "ops that know their gradient", traced as Keras traces functional
models): for each input signature (shapes, dtypes, which inputs carry a mask, ``training``)
``call`` runs once on symbolic tensors of the batch's concrete shapes; every op, weight read
and sub-layer call records a node (``nnkit.layers.trace``). The layer then runs that graph
with the one ``GraphRunner``: forward in creation order, backward in reverse, each node's
hand-written backward (a sub-layer's own, never retraced). Python control flow on shapes and
on ``training`` is resolved while tracing, which is why a signature has its own graph;
control flow on values is not (as in Keras's functional models), and fails while tracing.
A trace costs a Python pass over ``call``; at most ``MAX_GRAPHS`` signatures are kept.

Shapes: ``x`` as the layer receives it, batch first.
"""
import collections
import inspect
import threading

from nnkit.backend import get_backend
from nnkit.errors import InvalidArgumentError
from nnkit.graph.runner import GraphRunner, RunNode
from nnkit.layers import trace as tracing
from nnkit.layers.base import Layer
from nnkit.layers.op_layer import constant_node, placeholder, read_node
from nnkit.layers.recurrent.stateful import states_held
from nnkit.layers.symbolic import SymbolicTensor, probe_batch

MAX_GRAPHS = 64


class TracedGraph:
    """One signature's graph: the runner and whether ``call`` returned a list."""

    def __init__(self, runner, multiple_outputs):
        self.runner, self.multiple_outputs = runner, multiple_outputs


class TracedCall:
    """Traces and runs ``layer.call`` (see the module docstring)."""

    def __init__(self, layer):
        self.layer = layer
        parameters = inspect.signature(layer.call).parameters
        self.takes = {name for name in ("training", "mask") if name in parameters or any(
            p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())}
        self.graphs = collections.OrderedDict()
        self.lock = threading.RLock()       # a trace may trace nested call() layers
        self.output_shapes = {}     # repr(example input shape) -> example output shape

    def run(self, xs, masks, training, as_list):
        """``(outputs, output masks, state)`` of the call on arrays ``xs`` (a list; ``call``
        receives the list when ``as_list``, else ``xs[0]``) with ``masks``; ``state``
        (training only) feeds ``backward``."""
        graph = self.graph(xs, masks, training, as_list)
        inputs = list(xs) + ([m for m in masks if m is not None] if "mask" in self.takes
                             else [])
        outputs, out_masks, state = graph.runner.forward(
            inputs, list(masks) + [None] * (len(inputs) - len(xs)), training)
        return outputs, out_masks, (graph, state, len(xs)) if training else None

    def graph(self, xs, masks, training, as_list):
        key = (tuple((tuple(x.shape), str(x.dtype)) for x in xs),
               tuple(m is not None for m in masks), bool(training), as_list)
        with self.lock:                     # threads share the layer and its graphs
            graph = self.graphs.get(key)
            if graph is None:
                graph = self.graphs[key] = self._trace(xs, masks, bool(training), as_list)
                if len(self.graphs) > MAX_GRAPHS:
                    self.graphs.popitem(last=False)
            self.graphs.move_to_end(key)
            return graph

    def _trace(self, xs, masks, training, as_list):
        layer = self.layer
        trace = tracing.Trace(layer, read_node, constant_node)
        trace.training = training
        inputs = [placeholder(layer, i, x.shape, x.dtype, m is not None)
                  for i, (x, m) in enumerate(zip(xs, masks))]
        mask_inputs = [placeholder(layer, len(xs) + i, m.shape, "bool", False)
                       for i, m in enumerate(m for m in masks if m is not None)]
        arguments = {}
        if "training" in self.takes:
            arguments["training"] = training
        if "mask" in self.takes and mask_inputs:
            given = iter(mask_inputs)
            mask_list = [next(given) if m is not None else None for m in masks]
            arguments["mask"] = mask_list if as_list else mask_list[0]
        with tracing.tracing(trace):
            outputs = layer.call(inputs if as_list else inputs[0], **arguments)
        multiple = isinstance(outputs, (list, tuple))
        outputs = [self._as_tensor(value, trace) for value in
                   (outputs if multiple else [outputs])]
        layer.track_sublayers(trace.layers)
        return TracedGraph(self._runner(trace, inputs + mask_inputs, outputs), multiple)

    def _as_tensor(self, value, trace):
        if isinstance(value, SymbolicTensor):
            return value
        if getattr(type(value), "is_variable", False):
            return value.traced_tensor()
        try:
            return trace.constant(get_backend().asarray(value), f"{self.layer.name}.call()")
        except (TypeError, ValueError):
            raise InvalidArgumentError(
                f"layer '{self.layer.name}': call() must return tensors (one, a list or a "
                f"tuple), received {type(value).__name__}") from None

    def _runner(self, trace, inputs, outputs):
        ids = {id(t): index for index, t in enumerate(inputs)}
        run_nodes = []
        for node in trace.nodes:
            for tensor in node.inputs:
                if id(tensor) not in ids:
                    raise InvalidArgumentError(
                        f"layer '{self.layer.name}': call() used the tensor {tensor.name!r} "
                        f"from outside its inputs (a model's tensor?); a layer's call() may "
                        f"only compute from its inputs, weights and constants")
            for tensor in node.outputs:
                ids[id(tensor)] = len(ids)
            run_nodes.append(RunNode(node.layer, [ids[id(t)] for t in node.inputs],
                                     [ids[id(t)] for t in node.outputs], node.kwargs,
                                     node.multiple_inputs, len(node.outputs) > 1))
        runner = GraphRunner(run_nodes, list(range(len(inputs))),
                             [ids[id(t)] for t in outputs])
        runner.set_input_grad(True)
        return runner

    # ---- the layer's side: apply and backward ------------------------------------------
    def apply(self, x, training, mask):
        """``(output, output mask)`` of the layer on ``x`` (an array or a list of arrays),
        building it (Keras's ``build(input_shape)``, batch axis included) on first use."""
        layer = self.layer
        as_list = isinstance(x, (list, tuple))
        xs = [self._convert(value) for value in (x if as_list else [x])]
        given = list(mask) if isinstance(mask, (list, tuple)) else [mask]
        masks = [None if m is None else get_backend().asarray(m).astype(bool)
                 for m in given + [None] * (len(xs) - len(given))]
        if not layer.built:
            shapes = [(None,) + tuple(value.shape[1:]) for value in xs]
            layer.build(shapes if as_list else shapes[0])
            layer.built = True
        outputs, out_masks, state = self.run(xs, masks, training, as_list)
        if training:
            layer.attach_cache((state, as_list, [value.dtype.kind == "f" for value in xs]))
        graph = state[0] if state else self.graph(xs, masks, training, as_list)
        return (outputs if graph.multiple_outputs else outputs[0],
                self._output_mask(x, masks, out_masks, as_list))

    def backward(self, dy):
        """The inputs' gradients for ``dy`` (a list for several outputs); None for integer
        inputs."""
        (state, as_list, floats) = self.layer.detach_cache()
        graph = state[0]
        dxs = self.run_backward(dy if graph.multiple_outputs else [dy], state)
        dxs = [dx if is_float else None for dx, is_float in zip(dxs, floats)]
        return dxs if as_list else dxs[0]

    def run_backward(self, d_outputs, state):
        """The inputs' gradients (a list) for the outputs' ``d_outputs``."""
        graph, runner_state, count = state
        return graph.runner.backward(d_outputs, runner_state)[:count]

    def symbolic_outputs(self, tensors, multiple):
        """``(example output shapes, dtypes, output has a mask)`` of the layer on symbolic
        ``tensors``, from running it on two probe batches (2 examples of unknown lengths 8,
        then 3 of 9): an output axis whose size differs between them is unknown (None)."""
        first, dtypes, has_mask = self._probe(tensors, multiple, 2, 8)
        second = self._probe(tensors, multiple, 3, 9)[0]
        shapes = [tuple(a if a == b else None for a, b in zip(one[1:], two[1:]))
                  for one, two in zip(first, second)]
        return shapes, dtypes, has_mask

    def _probe(self, tensors, multiple, batch, steps):
        backend = get_backend()
        probes = [probe_batch(t, batch, steps) for t in tensors]
        probes = [p if p.dtype == object else backend.asarray(p) for p in probes]
        masks = [backend.xp.ones(p.shape[:2], bool) if t.has_mask else None
                 for t, p in zip(tensors, probes)]
        with tracing.not_tracing(), states_held():   # a probe leaves stateful layers alone
            y, out_mask = self.apply(probes if multiple else probes[0], False,
                                     masks if multiple else masks[0])
        outputs = list(y) if isinstance(y, (list, tuple)) else [y]
        return ([tuple(out.shape) for out in outputs], [str(out.dtype) for out in outputs],
                out_mask is not None)

    def _convert(self, value):
        """An input as a backend array: floats in the layer's dtype, integers kept."""
        backend = get_backend()
        array = backend.asarray(value)
        if array.dtype.kind == "f" and str(array.dtype) != self.layer.dtype:
            array = array.astype(self.layer.dtype)
        return array

    def _output_mask(self, x, masks, out_masks, as_list):
        """Keras 3's rule: the layer's own ``compute_mask`` if it defines one; else the mask
        the traced graph carried to the output; else the input's when ``supports_masking``."""
        layer = self.layer
        if type(layer).compute_mask is not Layer.compute_mask:
            return layer.compute_mask(x, masks if as_list else masks[0])
        if out_masks and out_masks[0] is not None:
            return out_masks[0]
        return masks[0] if layer.supports_masking else None

    def example_output_shape(self, input_shape, dtype=None):
        """The output example shape (a list for several outputs) for ``input_shape`` (a list
        for several inputs), from a probe batch of zeros of ``dtype`` (default the layer's
        float dtype); builds the layer."""
        key = repr(input_shape)
        if key in self.output_shapes:             # known (the dtype does not change shapes)
            return self.output_shapes[key]
        several = isinstance(input_shape, list)
        shapes = input_shape if several else [input_shape]
        probes = [get_backend().xp.zeros((2,) + tuple(8 if size is None else size
                                                      for size in shape),
                                         dtype=dtype or self.layer.dtype)
                  for shape in shapes]
        with tracing.not_tracing(), states_held():
            y, _ = self.apply(probes if several else probes[0], False, None)
        shape = ([tuple(out.shape[1:]) for out in y] if isinstance(y, (list, tuple))
                 else tuple(y.shape[1:]))
        self.output_shapes[key] = shape
        return shape
