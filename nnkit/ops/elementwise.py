"""Element-wise maths with NumPy broadcasting: ``add``, ``multiply``, ``exp``, ``clip``, ...

Each op: forward and backward on one screen; the gradient of a broadcast operand is summed
back to its shape (``unbroadcast``). Shapes: any; a binary op's output has the broadcast
shape of its operands, a unary op's the shape of its input.

Gradients at kinks follow JAX (Keras's JAX backend): ``abs`` has slope +1 at 0;
``maximum``/``minimum`` split the gradient in half between tied operands, and so ``clip``
gives half the gradient at a bound. ``sign``, ``floor``, ``ceil`` and ``round`` have zero
gradient in JAX; here they are ``differentiable = False`` (nothing flows back, the same
thing). Dtypes follow Keras's NumPy backend: ops with a float result (``divide``, ``sqrt``,
``exp``, ``log``, ``tanh``, ``sin``, ...) give ``floatx()`` for integer or bool inputs.
"""
from numbers import Real

from nnkit.config import floatx
from nnkit.errors import InvalidArgumentError
from nnkit.ops.op import OPS, Op, unbroadcast

__all__ = ["add", "subtract", "multiply", "divide", "true_divide", "negative", "power", "square",
           "sqrt", "exp", "log", "log1p", "expm1", "abs", "absolute", "maximum", "minimum",
           "clip", "where", "tanh", "sigmoid", "sign", "floor", "ceil", "round", "reciprocal",
           "sin", "cos"]


def as_float(xp, x):
    """``x`` itself when it holds floats, else ``x`` as ``floatx()`` (``exp`` of ints is float)."""
    return x if x.dtype.kind == "f" else x.astype(floatx())


# ---- binary arithmetic --------------------------------------------------------------------
@OPS.register
class Add(Op):
    """``x + y``."""

    name = "add"

    def forward(self, xp, x, y):
        return x + y, (x.shape, y.shape)

    def backward(self, xp, cache, dy):
        x_shape, y_shape = cache
        return unbroadcast(xp, dy, x_shape), unbroadcast(xp, dy, y_shape)


@OPS.register
class Subtract(Op):
    """``x - y``: ``dx = dy``, ``dy_ = -dy``."""

    name = "subtract"

    def forward(self, xp, x, y):
        return x - y, (x.shape, y.shape)

    def backward(self, xp, cache, dy):
        x_shape, y_shape = cache
        return unbroadcast(xp, dy, x_shape), unbroadcast(xp, -dy, y_shape)


@OPS.register
class Multiply(Op):
    """``x · y``: ``dx = dy · y``, ``dy_ = dy · x``."""

    name = "multiply"

    def forward(self, xp, x, y):
        return x * y, (x, y)

    def backward(self, xp, cache, dy):
        x, y = cache
        return unbroadcast(xp, dy * y, x.shape), unbroadcast(xp, dy * x, y.shape)


@OPS.register
class Divide(Op):
    """``z = x / y`` (true division: integers give ``floatx()``): ``dx = dy / y``,
    ``dy_ = -dy · z / y``."""

    name = "divide"

    def forward(self, xp, x, y):
        if x.dtype.kind != "f" and y.dtype.kind != "f":
            x, y = x.astype(floatx()), y.astype(floatx())
        z = x / y
        return z, (x.shape, y, z)

    def backward(self, xp, cache, dy):
        x_shape, y, z = cache
        dx = dy / y
        return unbroadcast(xp, dx, x_shape), unbroadcast(xp, -dx * z, y.shape)


@OPS.register
class TrueDivide(Divide):
    """Keras's other name for ``divide``."""

    name = "true_divide"


@OPS.register
class Power(Op):
    """``z = x ** p``: ``dx = dy · p · x^(p-1)`` (0 where ``p = 0``), ``dp = dy · z · log x``
    (0 where ``x = 0``, as JAX; NaN for ``x < 0``)."""

    name = "power"

    def forward(self, xp, x, p):
        z = x ** p
        return z, (x, p, z)

    def backward(self, xp, cache, dy):
        x, p, z = cache
        dx = xp.where(p == 0, 0.0, p * x ** (p - 1.0))
        dp = z * xp.log(xp.where(x == 0, 1.0, x))
        return unbroadcast(xp, dy * dx, x.shape), unbroadcast(xp, dy * dp, p.shape)


@OPS.register
class Maximum(Op):
    """``max(x, y)``: the gradient goes to the larger operand; a tie splits it in half (JAX)."""

    name = "maximum"

    def forward(self, xp, x, y):
        return xp.maximum(x, y), (x, y)

    def backward(self, xp, cache, dy):
        x, y = cache
        to_x = (x > y) + 0.5 * (x == y)
        return unbroadcast(xp, dy * to_x, x.shape), unbroadcast(xp, dy * (1 - to_x), y.shape)


@OPS.register
class Minimum(Op):
    """``min(x, y)``: the gradient goes to the smaller operand; a tie splits it in half (JAX)."""

    name = "minimum"

    def forward(self, xp, x, y):
        return xp.minimum(x, y), (x, y)

    def backward(self, xp, cache, dy):
        x, y = cache
        to_x = (x < y) + 0.5 * (x == y)
        return unbroadcast(xp, dy * to_x, x.shape), unbroadcast(xp, dy * (1 - to_x), y.shape)


@OPS.register
class Where(Op):
    """``condition ? x1 : x2`` element-wise; ``condition`` takes no gradient, ``x1`` gets ``dy``
    where it is true, ``x2`` where it is false."""

    name = "where"

    def forward(self, xp, condition, x1, x2):
        condition = condition.astype(bool)
        return xp.where(condition, x1, x2), (condition, x1.shape, x2.shape)

    def backward(self, xp, cache, dy):
        condition, x1_shape, x2_shape = cache
        zero = xp.zeros((), dy.dtype)
        return (None, unbroadcast(xp, xp.where(condition, dy, zero), x1_shape),
                unbroadcast(xp, xp.where(condition, zero, dy), x2_shape))


@OPS.register
class Clip(Op):
    """``min(max(x, x_min), x_max)`` (a None bound is no bound; bool gives int32): ``dx = dy``
    inside the bounds, ``dy / 2`` on a bound (JAX's ``clip`` is that ``maximum`` then
    ``minimum``), 0 outside."""

    name = "clip"

    def __init__(self, x_min, x_max):
        for argument, value in (("x_min", x_min), ("x_max", x_max)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, Real)):
                raise InvalidArgumentError(f"ops.clip: expected a number or None for {argument}, "
                                           f"received {value!r}")
        self.x_min, self.x_max = (None if value is None else value.item() if hasattr(value, "item")
                                  else value for value in (x_min, x_max))

    def get_config(self):
        return {"x_min": self.x_min, "x_max": self.x_max}

    def forward(self, xp, x):
        dtype = "int32" if x.dtype == bool else x.dtype
        return xp.clip(x.astype(dtype), self.x_min, self.x_max).astype(dtype), x

    def backward(self, xp, cache, dy):
        x = cache
        slope = dy
        if self.x_min is not None:
            slope = slope * ((x > self.x_min) + 0.5 * (x == self.x_min))
        if self.x_max is not None:
            slope = slope * ((x < self.x_max) + 0.5 * (x == self.x_max))
        return (slope,)


# ---- unary functions: y = f(x), dx = dy · f'(x) --------------------------------------------
class Unary(Op):
    """An element-wise ``y = f(x)``: a subclass writes ``compute`` (f) next to ``derivative``
    (f'(x), given ``x`` and ``y``); ``float_result`` casts integer inputs to ``floatx()``."""

    float_result = True

    def forward(self, xp, x):
        if self.float_result:
            x = as_float(xp, x)
        y = self.compute(xp, x)
        return y, (x, y)

    def backward(self, xp, cache, dy):
        return (dy * self.derivative(xp, *cache),)


@OPS.register
class Negative(Unary):
    """``-x``; ``f' = -1``."""

    name, float_result = "negative", False
    compute = staticmethod(lambda xp, x: -x)
    derivative = staticmethod(lambda xp, x, y: -1.0)


@OPS.register
class Square(Unary):
    """``x²`` (bool gives int32); ``f' = 2x``."""

    name, float_result = "square", False
    compute = staticmethod(lambda xp, x: xp.square(x.astype("int32") if x.dtype == bool else x))
    derivative = staticmethod(lambda xp, x, y: 2.0 * x)


@OPS.register
class Sqrt(Unary):
    """``√x`` (NaN for ``x < 0``, as NumPy); ``f' = 1 / (2√x)``."""

    name = "sqrt"
    compute = staticmethod(lambda xp, x: xp.sqrt(x))
    derivative = staticmethod(lambda xp, x, y: 0.5 / y)


@OPS.register
class Exp(Unary):
    """``eˣ``; ``f' = eˣ``."""

    name = "exp"
    compute = staticmethod(lambda xp, x: xp.exp(x))
    derivative = staticmethod(lambda xp, x, y: y)


@OPS.register
class Expm1(Unary):
    """``eˣ - 1`` (accurate near 0); ``f' = eˣ = y + 1``."""

    name = "expm1"
    compute = staticmethod(lambda xp, x: xp.expm1(x))
    derivative = staticmethod(lambda xp, x, y: y + 1.0)


@OPS.register
class Log(Unary):
    """``ln x`` (NaN for ``x < 0``, -inf at 0); ``f' = 1 / x``."""

    name = "log"
    compute = staticmethod(lambda xp, x: xp.log(x))
    derivative = staticmethod(lambda xp, x, y: 1.0 / x)


@OPS.register
class Log1p(Unary):
    """``ln(1 + x)`` (accurate near 0); ``f' = 1 / (1 + x)``."""

    name = "log1p"
    compute = staticmethod(lambda xp, x: xp.log1p(x))
    derivative = staticmethod(lambda xp, x, y: 1.0 / (1.0 + x))


@OPS.register
class Absolute(Unary):
    """``|x|``; ``f' = +1 for x ≥ 0, -1 below`` (JAX's slope at 0 is +1)."""

    name, float_result = "absolute", False
    compute = staticmethod(lambda xp, x: xp.abs(x))
    derivative = staticmethod(lambda xp, x, y: xp.where(x >= 0, 1.0, -1.0))


@OPS.register
class Reciprocal(Unary):
    """``1 / x``; ``f' = -1 / x² = -y²``."""

    name = "reciprocal"
    compute = staticmethod(lambda xp, x: 1.0 / x)
    derivative = staticmethod(lambda xp, x, y: -y * y)


@OPS.register
class Tanh(Unary):
    """``tanh x``; ``f' = 1 - y²``."""

    name = "tanh"
    compute = staticmethod(lambda xp, x: xp.tanh(x))
    derivative = staticmethod(lambda xp, x, y: 1.0 - y * y)


@OPS.register
class Sigmoid(Unary):
    """``σ(x) = 1 / (1 + e⁻ˣ)``, computed from ``e^-|x|`` so no exponential overflows;
    ``f' = y (1 - y)``."""

    name = "sigmoid"

    @staticmethod
    def compute(xp, x):
        decay = xp.exp(-xp.abs(x))
        return xp.where(x >= 0, 1.0, decay) / (1.0 + decay)

    derivative = staticmethod(lambda xp, x, y: y * (1.0 - y))


@OPS.register
class Sin(Unary):
    """``sin x``; ``f' = cos x``."""

    name = "sin"
    compute = staticmethod(lambda xp, x: xp.sin(x))
    derivative = staticmethod(lambda xp, x, y: xp.cos(x))


@OPS.register
class Cos(Unary):
    """``cos x``; ``f' = -sin x``."""

    name = "cos"
    compute = staticmethod(lambda xp, x: xp.cos(x))
    derivative = staticmethod(lambda xp, x, y: -xp.sin(x))


# ---- piecewise-constant functions: no gradient (JAX's is zero) ----------------------------
class PiecewiseConstant(Op):
    """An element-wise function that is flat almost everywhere: no gradient flows through it."""

    differentiable = False
    float_result = False

    def forward(self, xp, x):
        return self.compute(xp, as_float(xp, x) if self.float_result else x), None

    def backward(self, xp, cache, dy):
        return (None,)


@OPS.register
class Sign(PiecewiseConstant):
    """``-1, 0 or +1``, the sign of ``x``."""

    name = "sign"
    compute = staticmethod(lambda xp, x: xp.sign(x))


@OPS.register
class Floor(PiecewiseConstant):
    """``⌊x⌋`` (a float dtype, as Keras)."""

    name, float_result = "floor", True
    compute = staticmethod(lambda xp, x: xp.floor(x))


@OPS.register
class Ceil(PiecewiseConstant):
    """``⌈x⌉`` (a float dtype, as Keras)."""

    name, float_result = "ceil", True
    compute = staticmethod(lambda xp, x: xp.ceil(x))


@OPS.register
class Round(PiecewiseConstant):
    """``x`` rounded half to even at ``decimals`` decimal places (NumPy's ``round``)."""

    name = "round"

    def __init__(self, decimals=0):
        if isinstance(decimals, bool) or not isinstance(decimals, int):
            raise InvalidArgumentError(f"ops.round: expected an integer for decimals, "
                                       f"received {decimals!r}")
        self.decimals = decimals

    def get_config(self):
        return {"decimals": self.decimals}

    def compute(self, xp, x):
        return xp.round(x, self.decimals)


# ---- Keras's functions --------------------------------------------------------------------
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


add = binary_function(Add, "``x1 + x2`` with broadcasting.")
subtract = binary_function(Subtract, "``x1 - x2`` with broadcasting.")
multiply = binary_function(Multiply, "``x1 * x2`` with broadcasting.")
divide = binary_function(Divide, "``x1 / x2`` with broadcasting (integers give ``floatx()``).")
true_divide = binary_function(TrueDivide, "Alias of ``divide``.")
power = binary_function(Power, "``x1 ** x2`` with broadcasting.")
maximum = binary_function(Maximum, "Element-wise maximum of ``x1`` and ``x2``, broadcast.")
minimum = binary_function(Minimum, "Element-wise minimum of ``x1`` and ``x2``, broadcast.")
negative, square, sqrt, exp, expm1, log, log1p, absolute, reciprocal, tanh, sigmoid, sin, cos = (
    unary_function(op_class) for op_class in (Negative, Square, Sqrt, Exp, Expm1, Log, Log1p,
                                              Absolute, Reciprocal, Tanh, Sigmoid, Sin, Cos))
sign, floor, ceil = (unary_function(op_class) for op_class in (Sign, Floor, Ceil))
abs = absolute  # noqa: A001  (Keras's shorthand)


def where(condition, x1=None, x2=None):
    """Elements of ``x1`` where ``condition`` is true, of ``x2`` elsewhere (broadcast together).

    Raises:
        InvalidArgumentError: ``x1`` or ``x2`` is None (Keras's one-argument ``where`` gives
            the indices of the true elements, a data-dependent shape nnkit does not record).
    """
    if x1 is None or x2 is None:
        raise InvalidArgumentError(f"ops.where: expected both x1 and x2, received x1={x1!r}, "
                                   f"x2={x2!r} (where(condition) alone is not supported)")
    return Where()(condition, x1, x2)


def clip(x, x_min, x_max):
    """``x`` limited to ``[x_min, x_max]`` (numbers)."""
    return Clip(x_min, x_max)(x)


def round(x, decimals=0):  # noqa: A001  (Keras's name)
    """``x`` rounded half to even at ``decimals`` decimal places."""
    return Round(decimals)(x)
