"""Graph nodes that are not layers of the user's: an op, a weight read, a constant.

- ``OpLayer``: one ``nnkit.ops`` op recorded on symbolic tensors. Its tensor arguments are
  the node's inputs; its other arguments (numbers, constant arrays) are kept in
  ``template``. Forward and backward are the op's own.
- ``ReadVariable``: a weight read inside a traced ``call()``: its output is
  ``layer.params[key]`` and its backward adds ``dy`` into ``layer.grads[key]``.
- ``Constant``: an array made eagerly inside a trace (``ops.arange(T)``) that a layer is
  then called on; it has no inputs and no gradient.

Masks: Keras 3's ops drop the mask (an op's output carries none); an op node accepts masked
inputs and outputs no mask, as Keras's ``Operation`` does.
"""
import warnings

from nnkit.backend import get_backend
from nnkit.errors import InvalidArgumentError, NnkitError
from nnkit.layers.base import Layer
from nnkit.layers.symbolic import Node, SymbolicTensor, is_symbolic, remember
from nnkit.ops.op import OPS, as_arrays
from nnkit.registry import auto_name, register_layer


class _GraphOnly(Layer):
    """What op, read and constant nodes share: any input, no build, no mask out."""

    supports_masking = True
    is_op = True

    def check_input(self, x):
        return x

    def check_mask(self, x, mask):
        return None

    def build(self, input_shape):
        self.built = True

    def compute_mask(self, x, mask):
        return None

    def apply(self, x, training=False, mask=None, **kwargs):
        return self.forward(x, training=training), None


@register_layer
class OpLayer(_GraphOnly):
    """The node of one op (``x + y`` on symbolic tensors, ``ops.mean(x, axis=1)``).

    Args:
        op: the ``nnkit.ops.Op`` (with its attributes).
        template: per op argument, ``["tensor", i]`` (the node's i-th input) or
            ``["constant", value]`` (a number, or an array as ``{"array": nested list,
            "dtype": ...}``).
    """

    def __init__(self, op, template, name=None, **kwargs):
        super().__init__(name=name or auto_name(op.name), **kwargs)
        self.op, self.template = op, [list(entry) for entry in template]
        self.built = True

    def __call__(self, x, training=None, mask=None, **kwargs):
        if is_symbolic(x):           # a graph rebuilt from its config records this node again
            return record_node(self, list(x) if isinstance(x, (list, tuple)) else [x])
        return super().__call__(x, training=training, mask=mask, **kwargs)

    def _arguments(self, xs):
        values = [xs[entry[1]] if entry[0] == "tensor" else _constant(entry[1])
                  for entry in self.template]
        return as_arrays(get_backend().xp, values, self.op.name)

    def forward(self, x, training=False, mask=None):
        out, cache = self.op.forward(self.xp, *self._arguments(x))
        if training:
            self._cache = cache
        return out

    def backward(self, dy):
        cache, self._cache = self._cache, None
        if not self.op.differentiable:
            return None
        grads = self.op.backward(self.xp, cache, dy)
        return [grads[position] for position, entry in enumerate(self.template)
                if entry[0] == "tensor"]

    def get_config(self):
        template = [entry if entry[0] == "tensor" else ["constant", _json_constant(entry[1])]
                    for entry in self.template]
        return {"name": self.name, "op": type(self.op).__name__,
                "op_config": self.op.get_config(), "template": template}

    @classmethod
    def from_config(cls, config):
        op = OPS.get(config["op"]).from_config(dict(config.get("op_config") or {}))
        return cls(op, config["template"], name=config.get("name"))


def _json_constant(value):
    if isinstance(value, dict) or not hasattr(value, "shape"):
        return value
    host = get_backend().to_numpy(value)
    return {"array": host.tolist(), "dtype": str(host.dtype)}


def _constant(value):
    if isinstance(value, dict) and "array" in value:
        return get_backend().asarray(value["array"], dtype=value.get("dtype"))
    return value


class ReadVariable(_GraphOnly):
    """A traced ``call()``'s read of ``variable`` (a weight of the traced layer or of a
    sub-layer): forward gives the parameter, backward adds into its gradient."""

    def __init__(self, variable):
        super().__init__(name=f"{variable.layer.name}/{variable.key}:read")
        self.variable = variable
        self.built = True

    def forward(self, x, training=False, mask=None):
        return self.variable.value

    def backward(self, dy):
        layer, key = self.variable.layer, self.variable.key
        if key not in layer.non_trainable_keys:
            layer.grads[key] += dy
            layer.note_grad_rows(key, None)
        return None


class Constant(_GraphOnly):
    """An array made eagerly inside a trace, fed to a layer as a graph tensor."""

    def __init__(self, value, name):
        super().__init__(name=name)
        self.value = value
        self.built = True

    def forward(self, x, training=False, mask=None):
        return self.value

    def backward(self, dy):
        return None


def source_node(layer, trace, shape, dtype):
    """A node with no inputs made by ``layer`` (a read or a constant), recorded in ``trace``;
    returns its symbolic tensor of full shape ``shape``."""
    node = Node(layer, [], {}, True)
    node.outputs = [SymbolicTensor.of_full_shape(shape, str(dtype), False, node, 0)]
    trace.record(node)
    return node.outputs[0]


def read_node(variable, trace):
    """The symbolic tensor of a ``ReadVariable`` of ``variable`` in ``trace``."""
    return source_node(ReadVariable(variable), trace, variable.shape, variable.dtype)


def constant_node(value, trace, what):
    """The symbolic tensor of a ``Constant`` holding ``value`` (an array) in ``trace``.

    Raises:
        InvalidArgumentError: ``value`` is not numeric.
    """
    array = get_backend().asarray(value)
    if array.dtype.kind not in "biuf":
        raise InvalidArgumentError(f"{what}: expected a tensor or a numeric array, received "
                                   f"{array.dtype}")
    name = f"{trace.owner.name}/constant_{len(trace.nodes)}"
    return source_node(Constant(array, name), trace, array.shape, array.dtype)


_PROBE_SIZES = (2, 3)      # an unknown size is this plus its axis's distance from the end


def record_op(op, arguments):
    """Record ``op(*arguments)`` as an ``OpLayer`` node; returns its symbolic output(s).

    Weights become read nodes inside a trace; the other non-tensor arguments are constants.
    The output shapes come from running the op on two probe batches whose unknown sizes
    differ: an output axis whose size differs between the two is unknown (None).

    Raises:
        InvalidArgumentError: the op refuses the arguments' shapes (named with the op).
    """
    arguments = [a.traced_tensor() if getattr(type(a), "is_variable", False) else a
                 for a in arguments]
    tensors, template = [], []
    for argument in arguments:
        if isinstance(argument, SymbolicTensor):
            template.append(["tensor", len(tensors)])
            tensors.append(argument)
        else:
            template.append(["constant", argument])
    return record_node(OpLayer(op, template), tensors)


def record_node(layer, tensors):
    """Record ``layer`` (an ``OpLayer``) reading ``tensors``; its symbolic output(s)."""
    first, second = (_probe(layer, tensors, base) for base in _PROBE_SIZES)
    node = Node(layer, tensors, {}, True)
    node.outputs = [SymbolicTensor.of_full_shape(
        tuple(a if a == b else None for a, b in zip(one.shape, two.shape)), str(one.dtype),
        False, node, index) for index, (one, two) in enumerate(zip(first, second))]
    remember(node)
    multiple = getattr(layer.op, "multiple_outputs", False)
    return list(node.outputs) if multiple else node.outputs[0]


def _probe(layer, tensors, base):
    """The op's outputs (a list) on probe arrays standing for ``tensors``: ones (zeros for
    integer and bool tensors), unknown sizes ``base + distance from the last axis``."""
    xp = get_backend().xp
    arrays = []
    for tensor in tensors:
        shape = tuple(base + len(tensor.shape) - 1 - axis if size is None else size
                      for axis, size in enumerate(tensor.shape))
        kind = xp.dtype(tensor.dtype).kind
        arrays.append((xp.ones if kind == "f" else xp.zeros)(shape, dtype=tensor.dtype))
    try:
        with warnings.catch_warnings():        # ones and zeros may divide by zero
            warnings.simplefilter("ignore", RuntimeWarning)
            out = layer.forward(arrays)
    except NnkitError:
        raise
    except (ValueError, TypeError, IndexError) as error:
        shapes = [t.shape for t in tensors]
        raise InvalidArgumentError(f"ops.{layer.op.name}: cannot take tensors of shapes "
                                   f"{shapes}: {error}") from None
    return list(out) if getattr(layer.op, "multiple_outputs", False) else [out]


class Placeholder(_GraphOnly):
    """An input of a traced ``call()`` (the runner feeds it; it never runs)."""

    def forward(self, x, training=False, mask=None):
        raise AssertionError("a placeholder is fed by the runner, never run")


def placeholder(owner, index, shape, dtype, has_mask):
    """The symbolic tensor of input ``index`` of ``owner``'s traced ``call()``."""
    node = Node(Placeholder(name=f"{owner.name}/input_{index}"), [], {}, False)
    node.outputs = [SymbolicTensor.of_full_shape(shape, str(dtype), has_mask, node, 0)]
    return node.outputs[0]
