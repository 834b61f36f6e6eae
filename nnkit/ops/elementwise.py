"""Element-wise binary maths with NumPy broadcasting: ``add``, ``subtract``, ``multiply``,
``divide``, ``power``, ``maximum``, ``minimum``, and ``where`` and ``clip``.

Each op: forward and backward on one screen; the gradient of a broadcast operand is summed
back to its shape (``unbroadcast``). Shapes: any; the output has the broadcast shape of the
operands. Unary maths (``exp``, ``tanh``, ``round``, ...) is in ``nnkit.ops.unary``.

Gradients at kinks follow JAX (Keras's JAX backend): ``maximum``/``minimum`` split the
gradient in half between tied operands, and so ``clip`` gives half the gradient at a bound.
Dtypes follow Keras's NumPy backend: ``divide`` gives ``floatx()`` for integer inputs.
"""
from numbers import Real

from nnkit.config import floatx
from nnkit.errors import InvalidArgumentError
from nnkit.ops.op import OPS, Op, binary_function, unbroadcast

__all__ = ["add", "subtract", "multiply", "divide", "true_divide", "power", "maximum", "minimum",
           "clip", "where"]


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


add = binary_function(Add, "``x1 + x2`` with broadcasting.")
subtract = binary_function(Subtract, "``x1 - x2`` with broadcasting.")
multiply = binary_function(Multiply, "``x1 * x2`` with broadcasting.")
divide = binary_function(Divide, "``x1 / x2`` with broadcasting (integers give ``floatx()``).")
true_divide = binary_function(TrueDivide, "Alias of ``divide``.")
power = binary_function(Power, "``x1 ** x2`` with broadcasting.")
maximum = binary_function(Maximum, "Element-wise maximum of ``x1`` and ``x2``, broadcast.")
minimum = binary_function(Minimum, "Element-wise minimum of ``x1`` and ``x2``, broadcast.")


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
