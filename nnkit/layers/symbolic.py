"""Symbolic tensors and nodes: what calling a layer on ``Input`` tensors records.

``nnkit.Input(shape)`` returns a ``SymbolicTensor``. Calling a layer on
symbolic tensors (``Dense(8)(x)``) builds the layer for their shapes and
records a ``Node``: the layer, the tensors it read, the tensors it produced
and the call's keyword arguments. A layer called several times has several
nodes and one set of weights. Nodes are numbered in the order they are
created, which is a topological order (a node can only read tensors that
exist), so a model runs its nodes in that order and backpropagates in the
reverse one.
"""
import itertools

from nnkit.backend import get_backend
from nnkit.errors import InvalidArgumentError, ShapeError
from nnkit.layers import trace as tracing
from nnkit.layers.operators import Operators

_node_counter = itertools.count()
_PROBE_STEPS = 8                       # time steps of the probe batch for unknown lengths


class SymbolicTensor(Operators):
    """A placeholder for a batch: its example shape, dtype and whether a mask comes with it.

    Attributes:
        shape: ``(None, *example_shape)`` (None = batch axis or any length).
        dtype: "float32"/"float64" (floatx), "int32"... as given to ``Input``.
        has_mask: a boolean ``(N, T)`` mask flows with it.
        node, index: the node that made it and its position among that node's outputs.
    """

    #: the marker ``nnkit.backend.is_keras_tensor`` looks for (the backend sits below layers)
    keras_tensor = True

    def __init__(self, shape, dtype, has_mask, node, index, sparse=False):
        self.shape = (None,) + tuple(shape)
        self.dtype, self.has_mask, self.sparse = dtype, has_mask, sparse
        self.node, self.index = node, index

    @classmethod
    def of_full_shape(cls, shape, dtype, has_mask, node, index):
        """A tensor whose whole shape is ``shape`` (an op's output may have no batch axis; a
        traced call's tensors have the batch's concrete size)."""
        tensor = cls((), dtype, has_mask, node, index)
        tensor.shape = tuple(shape)
        return tensor

    @property
    def ndim(self):
        return len(self.shape)

    def __bool__(self):
        raise InvalidArgumentError(
            f"the symbolic tensor {self.name!r} has no truth value: Python control flow on "
            f"tensor values cannot be traced (branch on shapes or on `training`, or use "
            f"ops.where)")

    @classmethod
    def record_op(cls, op, arguments):
        """Record ``op(*arguments)`` (some symbolic) as an op node; its symbolic output(s).

        Shapes are found by running the op on two probe batches whose unknown sizes differ
        (an axis whose size differs between the two is unknown in the output).

        Raises:
            InvalidArgumentError: the op refuses the arguments' shapes or values.
        """
        from nnkit.layers.op_layer import record_op    # op nodes are layers (above this file)
        return record_op(op, arguments)

    @property
    def example_shape(self):
        return self.shape[1:]

    @property
    def name(self):
        """``"<layer>"`` for a layer's only output, else ``"<layer>:<node>:<index>"``-like."""
        layer = self.node.layer
        if len(self.node.outputs) == 1:
            return layer.name
        return f"{layer.name}_{self.index}"

    def __repr__(self):
        return (f"<SymbolicTensor shape={self.shape} dtype={self.dtype} "
                f"{'masked ' if self.has_mask else ''}from '{self.node.layer.name}'>")


class Node:
    """One call of ``layer``: ``inputs`` → ``outputs`` (symbolic tensors), with ``kwargs``."""

    def __init__(self, layer, inputs, kwargs, multiple_inputs):
        self.layer, self.inputs, self.kwargs = layer, list(inputs), dict(kwargs)
        self.multiple_inputs = multiple_inputs
        self.outputs = []
        self.order = next(_node_counter)

    @property
    def index_in_layer(self):
        return self.layer.inbound_nodes.index(self)


def is_symbolic(x):
    """Whether ``x`` is a symbolic tensor or a non-empty list of them."""
    if isinstance(x, SymbolicTensor):
        return True
    return isinstance(x, (list, tuple)) and len(x) > 0 and all(
        isinstance(item, SymbolicTensor) for item in x)


def probe_batch(tensor, batch=1, steps=_PROBE_STEPS):
    """A batch of ``batch`` examples standing for ``tensor`` (zeros, or empty strings for a
    string tensor; unknown lengths become ``steps``)."""
    import numpy
    shape = (batch,) + tuple(steps if size is None else size for size in tensor.example_shape)
    if str(tensor.dtype) in ("string", "object"):
        return numpy.full(shape, "", dtype=object)
    return numpy.zeros(shape, dtype=tensor.dtype)


def _output(example_shape, dtype, has_mask, node, index, inputs):
    """A layer's output tensor: batch axis unknown, or the inputs' concrete batch size
    inside a traced ``call()`` (whose tensors have the batch's shapes)."""
    batch = inputs[0].shape[0] if tracing.active() is not None else None
    return SymbolicTensor.of_full_shape((batch,) + tuple(example_shape), dtype, has_mask, node,
                                        index)


def remember(node):
    """Keep ``node``: in the active trace of a ``call()``, else in its layer's nodes."""
    trace = tracing.active()
    if trace is not None:
        trace.record(node)
    else:
        node.layer.inbound_nodes.append(node)


def _trace_arguments(layer, kwargs, tensors):
    """Inside a traced ``call()``: ``training`` equal to the trace's is dropped (the runner
    passes it), and ``mask`` comes with the inputs (nnkit carries masks along the graph)."""
    trace = tracing.active()
    training, mask = kwargs.pop("training", None), kwargs.pop("mask", None)
    if training is not None and bool(training) != trace.training:
        raise InvalidArgumentError(f"layer '{layer.name}': inside {trace.owner.name}.call(), "
                                   f"training={training!r} differs from the call's own "
                                   f"training={trace.training}; nnkit runs sub-layers in the "
                                   f"call's mode")
    if mask is not None and not any(t.has_mask for t in tensors):
        raise InvalidArgumentError(f"layer '{layer.name}': inside {trace.owner.name}.call(), a "
                                   f"mask reaches a layer with its input (from Embedding("
                                   f"mask_zero=True) or Masking); pass the tensor, not mask=")
    return kwargs


def call_layer(layer, inputs, kwargs):
    """Record ``layer(inputs, **kwargs)`` on symbolic tensors; return its symbolic output(s).

    The layer is built for the inputs' shapes on first use. Whether a mask
    flows out is found by asking ``layer.compute_mask`` on a one-example probe,
    so the rules live in the layers themselves.

    Raises:
        InvalidArgumentError: a masked tensor reaches a layer that cannot honour a mask.
        ShapeError: the layer refuses the inputs' shapes (from ``build``).
    """
    multiple = isinstance(inputs, (list, tuple))
    tensors = list(inputs) if multiple else [inputs]
    if tracing.active() is not None:
        kwargs = _trace_arguments(layer, dict(kwargs), tensors)
    if kwargs.get("training") is not None:
        raise InvalidArgumentError(
            f"layer '{layer.name}': training={kwargs['training']!r} on a symbolic call is not "
            f"supported: in nnkit the model gives every layer its mode (Keras's "
            f"`base_model(x, training=False)` would run BatchNormalization and Dropout in "
            f"inference mode while the rest trains); freeze weights with `trainable = False`")
    if "mask" in kwargs or "training" in kwargs:
        raise InvalidArgumentError(f"layer '{layer.name}': on symbolic tensors, masks are "
                                   f"given by the inputs (Embedding(mask_zero=True), Masking), "
                                   f"not by the call")
    if any(is_symbolic(value) for value in kwargs.values()):
        raise InvalidArgumentError(f"layer '{layer.name}': symbolic tensors as keyword arguments "
                                   f"(e.g. initial_state) are not supported in graph models; "
                                   f"received {sorted(kwargs)}")
    if getattr(layer, "uses_call", False):     # written with call(): run it on a probe
        return _record_call(layer, tensors, kwargs, multiple)
    if any(t.has_mask for t in tensors) and not layer.supports_masking:
        masked = [t.name for t in tensors if t.has_mask]
        raise InvalidArgumentError(
            f"layer '{layer.name}' ({type(layer).__name__}) cannot honour a mask but its input "
            f"{masked} carries one; put a layer that consumes the mask (pooling, a recurrent "
            f"layer without return_sequences) before it")
    shapes = [t.example_shape for t in tensors]
    if not layer.built:
        layer.build(shapes if multiple else shapes[0])
    output_shapes = layer.output_shapes(shapes if multiple else shapes[0])
    backend = get_backend()
    probes = [backend.asarray(probe_batch(t)) for t in tensors]
    masks = [backend.xp.ones(p.shape[:2], bool) if t.has_mask else None
             for t, p in zip(tensors, probes)]
    out_mask = layer.compute_mask(probes if multiple else probes[0],
                                  masks if multiple else masks[0])
    node = Node(layer, tensors, kwargs, multiple)
    dtype = layer.output_dtype(tensors[0].dtype)
    node.outputs = [_output(shape, dtype, index == 0 and out_mask is not None, node, index,
                            tensors) for index, shape in enumerate(output_shapes)]
    remember(node)
    if len(node.outputs) == 1:
        return node.outputs[0]
    return list(node.outputs)


def _record_call(layer, tensors, kwargs, multiple):
    """``call_layer`` for a layer written with ``call()``: its output shapes, dtypes and mask
    come from running it on a probe batch (a masked input it does not use is dropped, as
    Keras 3 drops it)."""
    if kwargs:
        raise InvalidArgumentError(f"layer '{layer.name}': keyword arguments {sorted(kwargs)} "
                                   f"on symbolic tensors are not supported for a call() layer")
    shapes, dtypes, has_mask = layer.traced_call().symbolic_outputs(tensors, multiple)
    node = Node(layer, tensors, {}, multiple)
    node.outputs = [_output(shape, dtype, index == 0 and has_mask, node, index, tensors)
                    for index, (shape, dtype) in enumerate(zip(shapes, dtypes))]
    remember(node)
    return node.outputs[0] if len(node.outputs) == 1 else list(node.outputs)


def check_shape_fits(layer_name, tensor, array, what):
    """``array`` has ``tensor``'s example shape (None matches any size)."""
    expected = tensor.example_shape
    received = tuple(array.shape[1:])
    if len(received) != len(expected) or any(e is not None and e != r
                                             for e, r in zip(expected, received)):
        raise ShapeError(f"{what} '{layer_name}': expected input of shape "
                         f"(N, {', '.join('None' if e is None else str(e) for e in expected)}), "
                         f"received shape {tuple(array.shape)}")
