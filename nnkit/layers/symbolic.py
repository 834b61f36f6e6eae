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

_node_counter = itertools.count()
_PROBE_STEPS = 8                       # time steps of the probe batch for unknown lengths


class SymbolicTensor:
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


def probe_batch(tensor):
    """A one-example batch standing for ``tensor`` (zeros; unknown lengths become 8 steps)."""
    import numpy
    shape = (1,) + tuple(_PROBE_STEPS if size is None else size for size in tensor.example_shape)
    return numpy.zeros(shape, dtype=tensor.dtype)


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
    if "mask" in kwargs or "training" in kwargs:
        raise InvalidArgumentError(f"layer '{layer.name}': on symbolic tensors, masks and the "
                                   f"training flag are given by the model, not by the call")
    if any(is_symbolic(value) for value in kwargs.values()):
        raise InvalidArgumentError(f"layer '{layer.name}': symbolic tensors as keyword arguments "
                                   f"(e.g. initial_state) are not supported in graph models; "
                                   f"received {sorted(kwargs)}")
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
    node.outputs = [SymbolicTensor(shape, dtype, index == 0 and out_mask is not None, node, index)
                    for index, shape in enumerate(output_shapes)]
    layer.inbound_nodes.append(node)
    if len(node.outputs) == 1:
        return node.outputs[0]
    return list(node.outputs)


def check_shape_fits(layer_name, tensor, array, what):
    """``array`` has ``tensor``'s example shape (None matches any size)."""
    expected = tensor.example_shape
    received = tuple(array.shape[1:])
    if len(received) != len(expected) or any(e is not None and e != r
                                             for e, r in zip(expected, received)):
        raise ShapeError(f"{what} '{layer_name}': expected input of shape "
                         f"(N, {', '.join('None' if e is None else str(e) for e in expected)}), "
                         f"received shape {tuple(array.shape)}")
