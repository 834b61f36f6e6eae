"""Activations (Keras's ``keras.ops.nn``): ``relu``, ``relu6``, ``leaky_relu``, ``elu``,
``selu``, ``gelu``, ``silu``/``swish``, ``softplus``, ``log_sigmoid``, ``softsign``,
``hard_sigmoid`` and ``hard_silu``/``hard_swish``.

Each subclasses ``_Activation``: ``function(xp, x)`` and its derivative
``derivative(xp, x, y)`` (``y = f(x)``) side by side, and dx = dy·f'(x). Shapes: any.
Numerically stable forms: softplus is ``max(x, 0) + log1p(exp(-|x|))``; the exact GELU uses
``erfc`` (``nnkit.ops.special_functions``).
"""
import math

from nnkit.ops.op import OPS, Op, unary_function
from nnkit.ops.special_functions import erfc, logistic

__all__ = ["relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "silu", "swish", "softplus",
           "softsign", "hard_sigmoid", "log_sigmoid", "hard_silu", "hard_swish"]


class _Activation(Op):
    """Element-wise ``y = function(x)``; dx = dy · ``derivative(x, y)``. Shapes: any."""

    def forward(self, xp, x):
        y = self.function(xp, x)
        return y, (x, y)

    def backward(self, xp, cache, dy):
        return (dy * self.derivative(xp, *cache),)


@OPS.register
class Relu(_Activation):
    """max(x, 0); f' = [x > 0]."""

    name = "relu"

    def function(self, xp, x):
        return xp.maximum(x, 0)

    def derivative(self, xp, x, y):
        return x > 0


@OPS.register
class Relu6(_Activation):
    """min(max(x, 0), 6); f' = [0 < x < 6]."""

    name = "relu6"

    def function(self, xp, x):
        return xp.minimum(xp.maximum(x, 0), 6)

    def derivative(self, xp, x, y):
        return (x > 0) & (x < 6)


@OPS.register
class LeakyRelu(_Activation):
    """max(x, s·x) with s = negative_slope; f' = 1 where x > s·x, else s."""

    name = "leaky_relu"

    def __init__(self, negative_slope=0.2):
        self.negative_slope = negative_slope

    def get_config(self):
        return {"negative_slope": self.negative_slope}

    def function(self, xp, x):
        return xp.maximum(x, self.negative_slope * x)

    def derivative(self, xp, x, y):
        return xp.where(x > self.negative_slope * x, 1.0, self.negative_slope)


@OPS.register
class Elu(_Activation):
    """scale·(x if x ≥ 0 else α(eˣ - 1)); f' = scale·(1 or α·eˣ). scale = 1 here."""

    name = "elu"
    scale = 1.0

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def get_config(self):
        return {"alpha": self.alpha}

    def function(self, xp, x):
        return self.scale * xp.where(x >= 0, x, self.alpha * xp.expm1(xp.minimum(x, 0)))

    def derivative(self, xp, x, y):
        return self.scale * xp.where(x >= 0, 1.0, self.alpha * xp.exp(xp.minimum(x, 0)))


@OPS.register
class Selu(Elu):
    """ELU with Klambauer et al.'s α ≈ 1.6733 and scale ≈ 1.0507."""

    name = "selu"
    scale = 1.0507009873554804934193349852946

    def __init__(self):
        super().__init__(alpha=1.6732632423543772848170429916717)

    def get_config(self):
        return {}


@OPS.register
class Gelu(_Activation):
    """x·Φ(x). Exact: Φ(x) = ½ erfc(-x/√2), f' = Φ(x) + x·φ(x). Approximate (default):
    ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³), f' = ½(1 + tanh u) + ½x(1 - tanh²u)·u'."""

    name = "gelu"

    def __init__(self, approximate=True):
        self.approximate = approximate

    def get_config(self):
        return {"approximate": self.approximate}

    def function(self, xp, x):
        if self.approximate:
            return 0.5 * x * (1 + xp.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
        return 0.5 * x * erfc(xp, -x / math.sqrt(2))

    def derivative(self, xp, x, y):
        if self.approximate:
            c = math.sqrt(2 / math.pi)
            t = xp.tanh(c * (x + 0.044715 * x ** 3))
            return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x)
        density = xp.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
        return 0.5 * erfc(xp, -x / math.sqrt(2)) + x * density


@OPS.register
class Silu(_Activation):
    """x·σ(x) (swish); f' = σ(x)(1 + x(1 - σ(x)))."""

    name = "silu"

    def function(self, xp, x):
        return x * logistic(xp, x)

    def derivative(self, xp, x, y):
        s = logistic(xp, x)
        return s * (1 + x * (1 - s))


@OPS.register
class Softplus(_Activation):
    """log(1 + eˣ) = max(x, 0) + log1p(e^-|x|); f' = σ(x)."""

    name = "softplus"

    def function(self, xp, x):
        return xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x)))

    def derivative(self, xp, x, y):
        return logistic(xp, x)


@OPS.register
class LogSigmoid(_Activation):
    """log σ(x) = -softplus(-x); f' = σ(-x)."""

    name = "log_sigmoid"

    def function(self, xp, x):
        return xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))

    def derivative(self, xp, x, y):
        return logistic(xp, -x)


@OPS.register
class Softsign(_Activation):
    """x / (1 + |x|); f' = 1 / (1 + |x|)²."""

    name = "softsign"

    def function(self, xp, x):
        return x / (1 + xp.abs(x))

    def derivative(self, xp, x, y):
        return 1 / (1 + xp.abs(x)) ** 2


@OPS.register
class HardSigmoid(_Activation):
    """clip(x/6 + ½, 0, 1); f' = 1/6 on -3 < x < 3, else 0."""

    name = "hard_sigmoid"

    def function(self, xp, x):
        return xp.clip(x / 6 + 0.5, 0, 1)

    def derivative(self, xp, x, y):
        return ((x > -3) & (x < 3)) / 6


@OPS.register
class HardSilu(_Activation):
    """x·hard_sigmoid(x) (hard swish); f' = hard_sigmoid(x) + x·hard_sigmoid'(x)."""

    name = "hard_silu"

    def function(self, xp, x):
        return x * xp.clip(x / 6 + 0.5, 0, 1)

    def derivative(self, xp, x, y):
        return xp.clip(x / 6 + 0.5, 0, 1) + x * ((x > -3) & (x < 3)) / 6


relu, relu6, selu, silu, softplus, log_sigmoid, softsign, hard_sigmoid, hard_silu = (
    unary_function(op_class) for op_class in (Relu, Relu6, Selu, Silu, Softplus, LogSigmoid,
                                              Softsign, HardSigmoid, HardSilu))
swish, hard_swish = silu, hard_silu


def leaky_relu(x, negative_slope=0.2):
    """max(x, negative_slope·x)."""
    return LeakyRelu(negative_slope)(x)


def elu(x, alpha=1.0):
    """x for x ≥ 0, alpha·(eˣ - 1) below."""
    return Elu(alpha)(x)


def gelu(x, approximate=True):
    """x·Φ(x) (Φ the standard normal CDF; its tanh approximation by default)."""
    return Gelu(approximate)(x)
