"""Element-wise unary maths: ``negative``, ``square``, ``sqrt``, ``exp``, ``log``, ``abs``,
``tanh``, ``sigmoid``, ``sin``, ``cos``, ``sign``, ``floor``, ``ceil``, ``round``, ...

A differentiable op is ``y = f(x)`` with ``dx = dy · f'(x)`` (``Unary``). Shapes: the
output has the shape of the input.

Gradients at kinks follow JAX (Keras's JAX backend): ``abs`` has slope +1 at 0. ``sign``,
``floor``, ``ceil`` and ``round`` have zero gradient in JAX; here they are
``differentiable = False`` (nothing flows back, the same thing). Dtypes follow Keras's NumPy
backend: ops with a float result (``sqrt``, ``exp``, ``log``, ``tanh``, ``sin``, ...) give
``floatx()`` for integer or bool inputs.
"""
from nnkit.errors import InvalidArgumentError
from nnkit.ops.op import OPS, Op, as_float, unary_function

__all__ = ["negative", "square", "sqrt", "exp", "log", "log1p", "expm1", "abs", "absolute",
           "tanh", "sigmoid", "sign", "floor", "ceil", "round", "reciprocal", "sin", "cos"]


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


negative, square, sqrt, exp, expm1, log, log1p, absolute, reciprocal, tanh, sigmoid, sin, cos = (
    unary_function(op_class) for op_class in (Negative, Square, Sqrt, Exp, Expm1, Log, Log1p,
                                              Absolute, Reciprocal, Tanh, Sigmoid, Sin, Cos))
sign, floor, ceil = (unary_function(op_class) for op_class in (Sign, Floor, Ceil))
abs = absolute  # noqa: A001  (Keras's shorthand)


def round(x, decimals=0):  # noqa: A001  (Keras's name)
    """``x`` rounded half to even at ``decimals`` decimal places."""
    return Round(decimals)(x)
