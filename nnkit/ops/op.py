"""Op: one computation and its partial gradients, written by hand on one screen (Theano's idea).

An op is a small object: its attributes (``axis``, ``keepdims``, ...) are set by its
constructor, ``forward(xp, *arrays)`` returns ``(output, cache)`` and ``backward(xp, cache,
dy)`` returns one gradient per input array (None where an input takes no gradient: integer
indices, comparisons). Both are written with the backend's ``xp``, so an op runs on NumPy
and CuPy alike.

Calling an op (``Add()(x, y)``, or the Keras function ``nnkit.ops.add(x, y)``) dispatches
on its arguments:

- arrays (or Python numbers): it computes at once and returns an array, as ``keras.ops``
  does on NumPy;
- a symbolic tensor among them (a functional graph, or a custom layer's ``call`` being
  traced): it records an op node through the tensor's ``record_op`` (``nnkit.layers``, which
  sits above ``nnkit.ops``), and the one ``GraphRunner`` runs it forward and backward.

Arguments that are not tensors (numbers, ``None``) become constants of the node; the
gradient of an array argument that is a constant is computed and dropped.

Shapes: ops broadcast as NumPy does; ``unbroadcast`` sums a gradient back to an operand's
shape (a ``(N, 1)`` operand added to ``(N, D)`` gets ``dy.sum(axis=1, keepdims=True)``).
"""
from nnkit import config
from nnkit.backend import get_backend
from nnkit.errors import InvalidArgumentError
from nnkit.registry import Registry

OPS = Registry("op")


class Op:
    """Base class: subclasses define ``forward``, ``backward`` and, when they take
    attributes, ``__init__`` and ``get_config``.

    Attributes:
        name: Keras's function name (``"add"``); the op's name in errors and summaries.
        differentiable: False for ops whose output takes no gradient (comparisons, argmax,
            ``shape``); the runner then sends nothing back through them.
        multiple_outputs: True for ops whose output is a list of arrays (``split``); their
            ``backward`` receives one gradient per output (None for an unused output).
    """

    name = None
    differentiable = True
    multiple_outputs = False

    def forward(self, xp, *arrays):
        """``(output, cache)``: the output array and what ``backward`` needs."""
        raise NotImplementedError

    def backward(self, xp, cache, dy):
        """One gradient per input array (a tuple; None for an input without gradient)."""
        raise NotImplementedError

    def get_config(self):
        """The constructor's arguments (JSON-able), so a saved graph rebuilds the op."""
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __call__(self, *arguments):
        # a layer's weight (``Variable``) is a symbolic tensor inside a traced ``call()``
        arguments = tuple(a.traced_tensor() if getattr(type(a), "is_variable", False) else a
                          for a in arguments)
        for argument in arguments:
            if getattr(type(argument), "keras_tensor", False):
                return type(argument).record_op(self, arguments)
        xp = get_backend().xp
        return self.forward(xp, *as_arrays(xp, arguments, self.name))[0]

    def __repr__(self):
        config = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({config})"


def as_array(xp, value, op_name):
    """``value`` (an array, a number, a nested list, a weight ``Variable``) as an ``xp`` array.

    Raises:
        InvalidArgumentError: the value cannot be an array (a string, None, an object).
    """
    if hasattr(value, "value") and getattr(type(value), "is_variable", False):
        return value.value
    if isinstance(value, xp.ndarray):
        return value
    try:
        array = xp.asarray(value)
    except (TypeError, ValueError) as error:
        raise InvalidArgumentError(f"ops.{op_name}: expected an array or a number, received "
                                   f"{type(value).__name__} {value!r} ({error})") from None
    if array.dtype.kind not in "biuf":
        raise InvalidArgumentError(f"ops.{op_name}: expected numbers, received {array.dtype} "
                                   f"{value!r}")
    return array


def as_arrays(xp, values, op_name):
    """``values`` as ``xp`` arrays; a Python number takes the dtype NumPy 2 gives it beside
    the array arguments (``float32 array * 2.0`` stays float32, as in Keras), with floatx
    for a float number among integer arrays only."""
    arrays = [None if _is_python_number(v) else as_array(xp, v, op_name) for v in values]
    present = [a for a in arrays if a is not None]
    for index, value in enumerate(values):
        if arrays[index] is None:
            dtype = xp.result_type(*present, value) if present else None
            if isinstance(value, float) and (dtype is None or dtype.kind != "f" or not any(
                    a.dtype.kind == "f" for a in present)):
                dtype = config.floatx()
            arrays[index] = xp.asarray(value, dtype=dtype)
    return arrays


def as_float(xp, x):
    """``x`` itself when it holds floats, else ``x`` as ``floatx()`` (``exp`` of ints is float)."""
    return x if x.dtype.kind == "f" else x.astype(config.floatx())


def _is_python_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def unbroadcast(xp, grad, shape):
    """Sum ``grad`` over the axes that broadcasting added or stretched, to ``shape``."""
    if grad.shape == tuple(shape):
        return grad
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(axis for axis, size in enumerate(shape) if size == 1 and grad.shape[axis] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad


def normalize_axis(axis, ndim, op_name):
    """``axis`` (an int, a tuple or None) with negative entries made positive, checked.

    Raises:
        InvalidArgumentError: an axis outside ``[-ndim, ndim)``.
    """
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    for entry in axes:
        if isinstance(entry, bool) or not isinstance(entry, int) or not -ndim <= entry < ndim:
            raise InvalidArgumentError(f"ops.{op_name}: axis {axis!r} is out of range for an "
                                       f"array of rank {ndim}")
    axes = tuple(entry % ndim for entry in axes)
    return axes[0] if isinstance(axis, int) else axes


def unary_function(op_class, doc=None):
    """Keras's function ``op_class.name(x)``: builds ``op_class`` and calls it on ``x``."""
    def function(x):
        return op_class()(x)
    function.__name__ = function.__qualname__ = op_class.name
    function.__doc__ = doc or op_class.__doc__
    return function


def binary_function(op_class, doc):
    """Keras's function ``op_class.name(x1, x2)``: builds ``op_class`` and calls it."""
    def function(x1, x2):
        return op_class()(x1, x2)
    function.__name__ = function.__qualname__ = op_class.name
    function.__doc__ = doc
    return function
