"""Making and converting tensors: ``arange``, ``zeros``, ``full``, ``eye``, ``zeros_like``,
``cast``, ``shape``, ``convert_to_tensor``, ``convert_to_numpy``, ...

Keras's dtype rules (its NumPy backend): ``zeros``, ``ones``, ``full``, ``eye`` with
``dtype=None`` make ``floatx()``; ``*_like`` keep ``x``'s dtype; ``arange`` and
``convert_to_tensor`` infer the dtype from their arguments and turn 64-bit results into
Keras's defaults: Python ints (and int64) give "int32", Python floats (and float64)
give ``floatx()``. (Keras gives "float32" there even when ``floatx()`` is "float64";
nnkit keeps ``floatx()``, the dtype its layers compute in.)

``zeros``, ``ones``, ``eye`` and ``arange`` take no tensor, so they are plain functions
that return a backend array; the others are ops. ``zeros_like`` and ``ones_like`` have no
gradient (their output does not depend on ``x``'s values); ``full`` and ``full_like``
send ``sum(dy)`` to ``fill_value``; ``cast`` sends ``dy`` back only between float dtypes.
"""
from nnkit.backend import get_backend, is_float_dtype, is_keras_tensor, standardize_dtype
from nnkit.config import floatx
from nnkit.errors import DTypeError, InvalidArgumentError
from nnkit.ops.op import OPS, Op, as_array, unbroadcast

__all__ = ["arange", "zeros", "ones", "full", "eye", "zeros_like", "ones_like", "full_like",
           "cast", "shape", "dtype", "is_tensor", "convert_to_tensor", "convert_to_numpy"]

#: 64-bit dtypes that Keras's inference narrows to its defaults (floats: ``floatx()``)
_KERAS_DEFAULTS = {"int64": "int32", "uint64": "uint32"}


def _inferred_dtype(array_dtype):
    """Keras's dtype for data whose NumPy dtype is ``array_dtype`` (int64 → int32, ...)."""
    name = standardize_dtype(array_dtype)
    return floatx() if name == "float64" else _KERAS_DEFAULTS.get(name, name)


def _dtype_or_floatx(dtype):
    return floatx() if dtype is None else standardize_dtype(dtype)


def _checked_shape(shape, op_name):
    """``shape`` (an int or a sequence of ints ≥ 0) as a tuple."""
    dims = (shape,) if isinstance(shape, int) else shape
    try:
        dims = tuple(dims)
    except TypeError:
        dims = None
    if dims is None or not all(hasattr(d, "__index__") and not isinstance(d, bool)
                               and d >= 0 for d in dims):
        raise InvalidArgumentError(f"ops.{op_name}: shape must be an int or a tuple of ints "
                                   f">= 0 (known sizes), received {shape!r}")
    return tuple(int(d) for d in dims)


def arange(start, stop=None, step=None, dtype=None):
    """``[start, stop)`` by ``step``; ``arange(stop)`` starts at 0 (Keras's ``ops.arange``).
    ``arange(3)`` is int32 ``[0, 1, 2]``; ``arange(3.0)`` is ``floatx()``."""
    given = [v for v in (start, stop, step) if v is not None]
    if any(is_keras_tensor(v) for v in given):
        raise InvalidArgumentError("ops.arange: start, stop and step must be numbers, received "
                                   "a symbolic tensor (use a known size: ops.shape(x)[1])")
    xp = get_backend().xp
    if dtype is None:
        dtype = _inferred_dtype(xp.result_type(*given))
    if stop is None:
        start, stop = 0, start
    return xp.arange(start, stop, 1 if step is None else step, dtype=standardize_dtype(dtype))


def zeros(shape, dtype=None):
    """A ``shape`` array of zeros (``floatx()`` unless ``dtype``)."""
    return get_backend().xp.zeros(_checked_shape(shape, "zeros"), dtype=_dtype_or_floatx(dtype))


def ones(shape, dtype=None):
    """A ``shape`` array of ones (``floatx()`` unless ``dtype``)."""
    return get_backend().xp.ones(_checked_shape(shape, "ones"), dtype=_dtype_or_floatx(dtype))


def eye(N, M=None, k=0, dtype=None):
    """``(N, M)`` (M defaults to N) with ones on diagonal ``k`` (> 0 above the main one)."""
    for argument, value in (("N", N), ("M", M), ("k", k)):
        if value is not None and (isinstance(value, bool) or not hasattr(value, "__index__")):
            raise DTypeError(f"ops.eye: argument {argument} must be an integer, received "
                             f"{value!r}")
    return get_backend().xp.eye(N, M, k, dtype=_dtype_or_floatx(dtype))


@OPS.register
class Full(Op):
    """``(shape)`` array filled with ``fill_value`` (broadcast); d fill_value = Σ dy."""

    name = "full"

    def __init__(self, shape, dtype=None):
        self.shape = _checked_shape(shape, "full")
        self.dtype = None if dtype is None else standardize_dtype(dtype)

    def get_config(self):
        return {"shape": list(self.shape), "dtype": self.dtype}

    def forward(self, xp, fill_value):
        out = xp.broadcast_to(fill_value, self.shape).astype(_dtype_or_floatx(self.dtype))
        return out, fill_value.shape

    def backward(self, xp, cache, dy):
        return (unbroadcast(xp, dy, cache),)


def full(shape, fill_value, dtype=None):
    """A ``shape`` array of ``fill_value`` (``floatx()`` unless ``dtype``)."""
    return Full(shape, dtype)(fill_value)


class _LikeOp(Op):
    """Base of ``zeros_like``/``ones_like``/``full_like``: attribute ``dtype`` (None: x's)."""

    def __init__(self, dtype=None):
        self.dtype = None if dtype is None else standardize_dtype(dtype)

    def get_config(self):
        return {"dtype": self.dtype}


@OPS.register
class ZerosLike(_LikeOp):
    """Zeros of ``x``'s shape (and dtype unless ``dtype``); no gradient."""

    name = "zeros_like"
    differentiable = False

    def forward(self, xp, x):
        return xp.zeros_like(x, dtype=self.dtype), None


@OPS.register
class OnesLike(_LikeOp):
    """Ones of ``x``'s shape (and dtype unless ``dtype``); no gradient."""

    name = "ones_like"
    differentiable = False

    def forward(self, xp, x):
        return xp.ones_like(x, dtype=self.dtype), None


@OPS.register
class FullLike(_LikeOp):
    """``fill_value`` (broadcast) in ``x``'s shape; x gets no gradient, fill_value Σ dy."""

    name = "full_like"

    def forward(self, xp, x, fill_value):
        out = xp.broadcast_to(fill_value, x.shape).astype(self.dtype or x.dtype)
        return out, fill_value.shape

    def backward(self, xp, cache, dy):
        return None, unbroadcast(xp, dy, cache)


def zeros_like(x, dtype=None):
    return ZerosLike(dtype)(x)


def ones_like(x, dtype=None):
    return OnesLike(dtype)(x)


def full_like(x, fill_value, dtype=None):
    return FullLike(dtype)(x, fill_value)


@OPS.register
class Cast(Op):
    """``x`` as ``dtype``; dx = dy (in x's dtype) when both are floats, else no gradient."""

    name = "cast"

    def __init__(self, dtype):
        self.dtype = standardize_dtype(dtype)

    def get_config(self):
        return {"dtype": self.dtype}

    def forward(self, xp, x):
        return x.astype(self.dtype), x.dtype

    def backward(self, xp, cache, dy):
        flows = cache.kind == "f" and is_float_dtype(self.dtype)
        return (dy.astype(cache) if flows else None,)


def cast(x, dtype):
    """``x`` converted to ``dtype`` (Keras's ``ops.cast``)."""
    return Cast(dtype)(x)


def shape(x):
    """``x``'s shape: a tuple of ints (a symbolic tensor's may hold None)."""
    if is_keras_tensor(x):
        return x.shape
    return tuple(int(d) for d in as_array(get_backend().xp, x, "shape").shape)


def dtype(x):
    """``x``'s dtype as Keras names it ("float32", ...)."""
    return standardize_dtype(x.dtype)


def is_tensor(x):
    """Whether ``x`` is an array of the current backend."""
    return get_backend().is_array(x)


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """``x`` (nested lists, numbers, arrays, a weight) as a backend array of ``dtype``, or of
    Keras's inferred dtype (see the module docstring); a weight keeps its dtype."""
    for argument, value in (("sparse", sparse), ("ragged", ragged)):
        if value:
            raise InvalidArgumentError(f"ops.convert_to_tensor: {argument}=True is not "
                                       f"supported: nnkit's arrays are dense")
    if is_keras_tensor(x):
        return x if dtype is None else cast(x, dtype)
    array = as_array(get_backend().xp, x, "convert_to_tensor")
    if dtype is None and not getattr(type(x), "is_variable", False):
        dtype = _inferred_dtype(array.dtype)
    return array if dtype is None else array.astype(standardize_dtype(dtype), copy=False)


def convert_to_numpy(x):
    """``x`` as a host NumPy array."""
    if is_keras_tensor(x):
        raise InvalidArgumentError("ops.convert_to_numpy: a symbolic tensor has no values yet; "
                                   "call the model on data instead")
    backend = get_backend()
    return backend.to_numpy(as_array(backend.xp, x, "convert_to_numpy"))
