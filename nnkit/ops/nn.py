"""Neural-network ops (Keras's ``keras.ops.nn``, also exported from ``nnkit.ops``):
activations, ``softmax``/``log_softmax``, ``one_hot``, ``normalize``,
``dot_product_attention`` and the cross-entropies.

Element-wise activations subclass ``_Activation``: ``function(xp, x)`` and its derivative
``derivative(xp, x, y)`` (``y = f(x)``) side by side, and dx = dy·f'(x). ``sigmoid`` is
``nnkit.ops.elementwise``'s (imported here, as Keras also has ``keras.ops.nn.sigmoid``). Numerically stable forms: softplus is
``max(x, 0) + log1p(exp(-|x|))``, softmax and log-softmax subtract the maximum, the
binary cross-entropy from logits is ``max(z, 0) - z·t + log1p(exp(-|z|))`` (as Keras's
TensorFlow and JAX backends; its NumPy backend clips ``sigmoid(z)`` to [ε, 1 - ε] instead,
which agrees for |z| < -log ε ≈ 16). The exact GELU uses ``erfc`` below (no ``xp`` has one).
"""
import math

from nnkit.backend import standardize_dtype
from nnkit.config import epsilon as default_epsilon
from nnkit.errors import InvalidArgumentError, ShapeError
from nnkit.keras_names import missing_names
from nnkit.ops.elementwise import sigmoid  # noqa: F401  (Keras has it in keras.ops.nn too)
from nnkit.ops.op import OPS, Op, normalize_axis, unbroadcast

__all__ = ["relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "silu", "swish", "softplus",
           "softsign", "hard_sigmoid", "log_sigmoid", "hard_silu", "hard_swish", "softmax",
           "log_softmax", "one_hot", "normalize", "dot_product_attention",
           "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy"]


def _sigmoid(xp, x):
    return 0.5 * xp.tanh(0.5 * x) + 0.5


# W. J. Cody's rational approximations of erf/erfc (Math. Comp. 23, 1969): relative error
# below 1e-15 in float64 (8.5e-16 measured against math.erfc for |z| < 26, where erfc is normal).
_ERF_SMALL = ((3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
               3.20937758913846947e03, 1.85777706184603153e-1),
              (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
               2.84423683343917062e03))
_ERFC_MIDDLE = ((5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
                 2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
                 2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8),
                (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
                 1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
                 3.43936767414372164e03, 1.23033935480374942e03))
_ERFC_LARGE = ((3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
                1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2),
               (2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1,
                6.05183413124413191e-2, 2.33520497626869185e-3))


def _ratio(t, coefficients):
    """Cody's ratio of polynomials in ``t``: ``((n[-1]·t + n[0])·t + ... + n[k]) /
    ((t + d[0])·t + ... + d[k])``, k = len(d) - 1."""
    num, den = coefficients
    top, bottom = num[-1] * t, t
    for a, b in zip(num[:len(den) - 1], den[:-1]):
        top, bottom = (top + a) * t, (bottom + b) * t
    return (top + num[len(den) - 1]) / (bottom + den[-1])


def _erfc(xp, z):
    """``1 - erf(z)`` to float64 precision, with ``xp`` only (three ranges of |z|)."""
    y = xp.abs(z)
    small = 1.0 - y * _ratio(y * y, _ERF_SMALL)                       # |z| ≤ 0.46875
    far = xp.maximum(y, 4.0)
    large = (1 / math.sqrt(math.pi) - _ratio(1 / (far * far), _ERFC_LARGE) / (far * far)) / far
    rounded = xp.floor(y * 16) / 16                                    # exp(-y²) in two parts
    gaussian = xp.exp(-rounded * rounded) * xp.exp(-(y - rounded) * (y + rounded))
    tail = gaussian * xp.where(y <= 4, _ratio(y, _ERFC_MIDDLE), large)
    positive = xp.where(y <= 0.46875, small, tail)
    return xp.where(z < 0, 2.0 - positive, positive)


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
        return 0.5 * x * _erfc(xp, -x / math.sqrt(2))

    def derivative(self, xp, x, y):
        if self.approximate:
            c = math.sqrt(2 / math.pi)
            t = xp.tanh(c * (x + 0.044715 * x ** 3))
            return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x)
        density = xp.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
        return 0.5 * _erfc(xp, -x / math.sqrt(2)) + x * density


@OPS.register
class Silu(_Activation):
    """x·σ(x) (swish); f' = σ(x)(1 + x(1 - σ(x)))."""

    name = "silu"

    def function(self, xp, x):
        return x * _sigmoid(xp, x)

    def derivative(self, xp, x, y):
        s = _sigmoid(xp, x)
        return s * (1 + x * (1 - s))


@OPS.register
class Softplus(_Activation):
    """log(1 + eˣ) = max(x, 0) + log1p(e^-|x|); f' = σ(x)."""

    name = "softplus"

    def function(self, xp, x):
        return xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x)))

    def derivative(self, xp, x, y):
        return _sigmoid(xp, x)


@OPS.register
class LogSigmoid(_Activation):
    """log σ(x) = -softplus(-x); f' = σ(-x)."""

    name = "log_sigmoid"

    def function(self, xp, x):
        return xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))

    def derivative(self, xp, x, y):
        return _sigmoid(xp, -x)


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


def relu(x):
    return Relu()(x)


def relu6(x):
    return Relu6()(x)


def leaky_relu(x, negative_slope=0.2):
    return LeakyRelu(negative_slope)(x)


def elu(x, alpha=1.0):
    return Elu(alpha)(x)


def selu(x):
    return Selu()(x)


def gelu(x, approximate=True):
    return Gelu(approximate)(x)


def silu(x):
    return Silu()(x)


swish = silu


def softplus(x):
    return Softplus()(x)


def log_sigmoid(x):
    return LogSigmoid()(x)


def softsign(x):
    return Softsign()(x)


def hard_sigmoid(x):
    return HardSigmoid()(x)


def hard_silu(x):
    return HardSilu()(x)


hard_swish = hard_silu


# ---- softmax, one_hot, normalize --------------------------------------------------------
def _log_softmax(xp, x, axis):
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))


def _log_softmax_backward(xp, log_y, d_log_y, axis):
    """dx = g - softmax(x)·Σg for g = d log_softmax(x) (Σ over ``axis``)."""
    return d_log_y - xp.exp(log_y) * d_log_y.sum(axis=axis, keepdims=True)


class _AlongAxis(Op):
    """Base of ops along ``axis`` (an int, a tuple of ints or None for all axes)."""

    def __init__(self, axis=-1):
        self.axis = axis

    def get_config(self):
        return {"axis": self.axis}

    def _axis(self, x):
        return normalize_axis(self.axis, x.ndim, self.name)


@OPS.register
class Softmax(_AlongAxis):
    """y = eˣ / Σ eˣ along ``axis`` (max subtracted); dx = y(dy - Σ dy·y)."""

    name = "softmax"

    def forward(self, xp, x):
        axis = self._axis(x)
        y = xp.exp(x - x.max(axis=axis, keepdims=True))
        y /= y.sum(axis=axis, keepdims=True)
        return y, (axis, y)

    def backward(self, xp, cache, dy):
        axis, y = cache
        return (y * (dy - (dy * y).sum(axis=axis, keepdims=True)),)


@OPS.register
class LogSoftmax(_AlongAxis):
    """y = x - log Σ eˣ along ``axis``; dx = dy - softmax(x)·Σ dy."""

    name = "log_softmax"

    def forward(self, xp, x):
        axis = self._axis(x)
        y = _log_softmax(xp, x, axis)
        return y, (axis, y)

    def backward(self, xp, cache, dy):
        axis, y = cache
        return (_log_softmax_backward(xp, y, dy, axis),)


def softmax(x, axis=-1):
    return Softmax(axis)(x)


def log_softmax(x, axis=-1):
    return LogSoftmax(axis)(x)


def _one_hot(xp, indices, num_classes, axis):
    """``indices`` (any shape, ints or integral floats) → bool, a new axis of ``num_classes``
    at ``axis``; an index outside ``[0, num_classes)`` gives a row of False."""
    hot = indices[..., None] == xp.arange(num_classes)
    return hot if axis in (-1, hot.ndim - 1) else xp.moveaxis(hot, -1, axis)


@OPS.register
class OneHot(Op):
    """x (...) of class indices → (..., num_classes) with the new axis at ``axis``; no
    gradient. ``num_classes`` None or 0: max(x) + 1."""

    name = "one_hot"
    differentiable = False

    def __init__(self, num_classes, axis=-1, dtype=None, sparse=False):
        if sparse:
            raise InvalidArgumentError("ops.one_hot: sparse=True is not supported: nnkit's "
                                       "arrays are dense")
        self.num_classes, self.axis, self.sparse = num_classes, axis, sparse
        self.dtype = standardize_dtype(dtype)

    def get_config(self):
        return {"num_classes": self.num_classes, "axis": self.axis, "dtype": self.dtype,
                "sparse": self.sparse}

    def forward(self, xp, x):
        num_classes = self.num_classes or int(x.max()) + 1
        axis = normalize_axis(self.axis, x.ndim + 1, self.name)
        return _one_hot(xp, x, num_classes, axis).astype(self.dtype), None


def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    return OneHot(num_classes, axis, dtype, sparse)(x)


@OPS.register
class Normalize(_AlongAxis):
    """y = x / max(‖x‖ₚ, ε) along ``axis`` (p = ``order``, ε = ``epsilon`` or
    ``config.epsilon()``); a scalar x is treated as shape (1,), as Keras does.
    dx = dy/d - [‖x‖ > ε]·(Σ dy·x)/d² · sign(x)|x|^(p-1)/‖x‖^(p-1), d = max(‖x‖, ε)."""

    name = "normalize"

    def __init__(self, axis=-1, order=2, epsilon=None):
        if isinstance(order, bool) or not isinstance(order, int) or order < 1:
            raise InvalidArgumentError(f"ops.normalize: order must be an int >= 1, received "
                                       f"{order!r}")
        super().__init__(axis)
        self.order, self.epsilon = order, epsilon

    def get_config(self):
        return {"axis": self.axis, "order": self.order, "epsilon": self.epsilon}

    def forward(self, xp, x):
        shape, x = x.shape, (x.reshape(-1) if x.ndim == 0 else x)
        axis, p = self._axis(x), self.order
        eps = default_epsilon() if self.epsilon is None else self.epsilon
        norm = (xp.abs(x) ** p).sum(axis=axis, keepdims=True) ** (1 / p)
        denominator = xp.maximum(norm, eps)
        return x / denominator, (x, shape, axis, norm, denominator, eps)

    def backward(self, xp, cache, dy):
        x, shape, axis, norm, denominator, eps = cache
        p, safe_norm = self.order, xp.maximum(norm, eps)
        d_norm = -(dy * x).sum(axis=axis, keepdims=True) / safe_norm ** 2
        d_norm = xp.where(norm > eps, d_norm, 0)
        dx = dy / denominator + d_norm * xp.sign(x) * (xp.abs(x) / safe_norm) ** (p - 1)
        return (dx.reshape(shape),)


def normalize(x, axis=-1, order=2, epsilon=None):
    return Normalize(axis, order, epsilon)(x)


# ---- attention --------------------------------------------------------------------------
#: what a masked logit becomes (Keras's value: -0.7 × the largest bfloat16)
_MASKED_LOGIT = -0.7 * 3.38953e38


@OPS.register
class DotProductAttention(Op):
    """softmax(scale·Q·Kᵀ + bias, masked) · V for each head; scale defaults to 1/√H.

    query (B, T, N, H); key and value (B, S, K, H), N a multiple of K (query head
    n = k·G + g, G = N // K, shares key/value head k); bias and mask broadcast to
    (B, N, T, S) (mask True: attend; ``is_causal``: query t sees keys s ≤ t); output
    (B, T, N, H). ``has_bias``/``has_mask`` say which of them follow value in the call.
    Backward, with P (B, N, T, S) the probabilities and dO the output's gradient:
    dV = Pᵀ·dO, dP = dO·Vᵀ, dA = P(dP - Σ_S dP·P) (0 where masked) for the logits A,
    dbias = dA summed to bias's shape, dQ = scale·dA·K, dK = scale·dAᵀ·Q (Σ over g).
    """

    name = "dot_product_attention"

    def __init__(self, scale=None, is_causal=False, flash_attention=None, has_bias=False,
                 has_mask=False):
        if flash_attention:
            raise InvalidArgumentError("ops.dot_product_attention: flash_attention=True is "
                                       "not supported (nnkit computes the plain attention)")
        self.scale, self.is_causal, self.flash_attention = scale, is_causal, flash_attention
        self.has_bias, self.has_mask = has_bias, has_mask

    def get_config(self):
        return {"scale": self.scale, "is_causal": self.is_causal,
                "flash_attention": self.flash_attention, "has_bias": self.has_bias,
                "has_mask": self.has_mask}

    def _check(self, query, key, value):
        if (query.ndim != 4 or key.ndim != 4 or value.shape[:3] != key.shape[:3]
                or query.shape[0] != key.shape[0] or query.shape[3] != key.shape[3]
                or query.shape[2] % key.shape[2]):
            raise ShapeError(f"ops.{self.name}: expected query (B, T, N, H), key and value "
                             f"(B, S, K, H) with N a multiple of K, received query "
                             f"{query.shape}, key {key.shape}, value {value.shape}")

    def forward(self, xp, query, key, value, *bias_and_mask):
        self._check(query, key, value)
        (B, T, N, H), (S, K) = query.shape, key.shape[1:3]
        q = query.transpose(0, 2, 1, 3).reshape(B, K, N // K, T, H)
        k, v = (a.transpose(0, 2, 1, 3)[:, :, None] for a in (key, value))  # (B, K, 1, S, .)
        scale = 1 / math.sqrt(H) if self.scale is None else self.scale
        logits = (scale * q @ k.swapaxes(-1, -2)).reshape(B, N, T, S)
        bias = bias_and_mask[0] if self.has_bias else None
        if bias is not None:
            logits = logits + bias.astype(logits.dtype, copy=False)
        allowed = bias_and_mask[-1].astype(bool) if self.has_mask else True
        if self.is_causal:
            allowed = allowed & xp.tri(T, S, dtype=bool)
        if allowed is not True:
            logits = xp.where(allowed, logits, _MASKED_LOGIT)
        p = xp.exp(logits - logits.max(axis=-1, keepdims=True))
        p /= p.sum(axis=-1, keepdims=True)
        out = (p.reshape(B, K, N // K, T, S) @ v).reshape(B, N, T, -1).transpose(0, 2, 1, 3)
        return out, (q, k, v, p, allowed, scale, None if bias is None else bias.shape)

    def backward(self, xp, cache, dy):
        q, k, v, p, allowed, scale, bias_shape = cache
        B, K, G, T, H = q.shape
        d_out = dy.transpose(0, 2, 1, 3).reshape(B, K, G, T, -1)
        p5 = p.reshape(B, K, G, T, -1)
        d_value = (p5.swapaxes(-1, -2) @ d_out).sum(axis=2).transpose(0, 2, 1, 3)
        d_p = d_out @ v.swapaxes(-1, -2)
        d_logits = (p5 * (d_p - (d_p * p5).sum(axis=-1, keepdims=True))).reshape(p.shape)
        if allowed is not True:
            d_logits = xp.where(allowed, d_logits, 0)
        d_logits5 = d_logits.reshape(p5.shape)
        d_query = (scale * d_logits5 @ k).reshape(B, K * G, T, H).transpose(0, 2, 1, 3)
        d_key = scale * (d_logits5.swapaxes(-1, -2) @ q).sum(axis=2).transpose(0, 2, 1, 3)
        grads = [d_query, d_key, d_value]
        if bias_shape is not None:
            grads.append(unbroadcast(xp, d_logits, bias_shape))
        if self.has_mask:
            grads.append(None)
        return tuple(grads)


def dot_product_attention(query, key, value, bias=None, mask=None, scale=None,
                          is_causal=False, flash_attention=None, attn_logits_soft_cap=None):
    """Keras's ``ops.dot_product_attention`` (see ``DotProductAttention`` for the shapes)."""
    if attn_logits_soft_cap is not None:
        raise InvalidArgumentError("ops.dot_product_attention: attn_logits_soft_cap is only "
                                   "supported by Keras's JAX backend on TPU; pass None")
    op = DotProductAttention(None if scale is None else float(scale), is_causal,
                             flash_attention, bias is not None, mask is not None)
    return op(query, key, value, *(t for t in (bias, mask) if t is not None))


# ---- cross-entropies --------------------------------------------------------------------
def _log_probabilities(xp, output, axis, from_logits):
    """log p along ``axis``: log_softmax(output) from logits, else Keras's
    log clip(output / Σ output, ε, 1 - ε); and what the backward needs."""
    if from_logits:
        log_p = _log_softmax(xp, output, axis)
        return log_p, log_p
    total = output.sum(axis=axis, keepdims=True)
    p = output / total
    eps = default_epsilon()
    clipped = xp.clip(p, eps, 1 - eps)
    return xp.log(clipped), (p, clipped, total, eps)


def _log_probabilities_backward(xp, cache, d_log_p, axis, from_logits):
    if from_logits:
        return _log_softmax_backward(xp, cache, d_log_p, axis)
    p, clipped, total, eps = cache
    d_p = xp.where((p > eps) & (p < 1 - eps), d_log_p / clipped, 0)
    return (d_p - (d_p * p).sum(axis=axis, keepdims=True)) / total


class _Crossentropy(Op):
    """Base: attributes ``from_logits`` and ``axis`` (the class axis)."""

    def __init__(self, from_logits=False, axis=-1):
        self.from_logits, self.axis = from_logits, axis

    def get_config(self):
        return {"from_logits": self.from_logits, "axis": self.axis}

    def _shape_error(self, target, output, expected):
        return ShapeError(f"ops.{self.name}: expected target of shape {expected} for output of "
                          f"shape {output.shape}, received {target.shape}")


@OPS.register
class CategoricalCrossentropy(_Crossentropy):
    """-Σ_axis target·log p, target and output (..., C, ...) → (...); dtarget = -log p·dy,
    doutput through log p (``_log_probabilities``)."""

    name = "categorical_crossentropy"

    def forward(self, xp, target, output):
        if target.shape != output.shape or output.ndim < 1:
            raise self._shape_error(target, output, output.shape)
        axis = normalize_axis(self.axis, output.ndim, self.name)
        log_p, cache = _log_probabilities(xp, output, axis, self.from_logits)
        return -(target * log_p).sum(axis=axis), (target, log_p, cache, axis)

    def backward(self, xp, cache, dy):
        target, log_p, cache, axis = cache
        dy = xp.expand_dims(dy, axis)
        d_output = _log_probabilities_backward(xp, cache, -target * dy, axis, self.from_logits)
        return -log_p * dy, d_output


@OPS.register
class SparseCategoricalCrossentropy(_Crossentropy):
    """-log p[target] along ``axis``: target (...) (or (..., 1)) class indices, output
    (..., C) → (...); an index outside [0, C) gives 0. No gradient for target."""

    name = "sparse_categorical_crossentropy"

    def forward(self, xp, target, output):
        axis = normalize_axis(self.axis, max(output.ndim, 1), self.name)
        if target.ndim == output.ndim and target.shape[-1:] == (1,):
            target = target[..., 0]
        expected = output.shape[:axis] + output.shape[axis + 1:]
        if output.ndim < 1 or target.shape != expected:
            raise self._shape_error(target, output, expected)
        hot = _one_hot(xp, target, output.shape[axis], axis)
        log_p, cache = _log_probabilities(xp, output, axis, self.from_logits)
        return -(hot * log_p).sum(axis=axis), (hot, cache, axis)

    def backward(self, xp, cache, dy):
        hot, cache, axis = cache
        d_log_p = -(hot * xp.expand_dims(dy, axis))
        return None, _log_probabilities_backward(xp, cache, d_log_p, axis, self.from_logits)


@OPS.register
class BinaryCrossentropy(Op):
    """-(t·log p + (1 - t)·log(1 - p)) element-wise, target and output of one shape.
    From logits z (stable): max(z, 0) - z·t + log1p(e^-|z|); dz = (σ(z) - t)·dy, dt = -z·dy.
    From p: clipped to [ε, 1 - ε]; dp = (1 - t)/(1 - p) - t/p inside, dt = log((1 - p)/p)."""

    name = "binary_crossentropy"

    def __init__(self, from_logits=False):
        self.from_logits = from_logits

    def get_config(self):
        return {"from_logits": self.from_logits}

    def forward(self, xp, target, output):
        if target.shape != output.shape:
            raise ShapeError(f"ops.{self.name}: target and output must have the same shape, "
                             f"received {target.shape} and {output.shape}")
        if self.from_logits:
            z = output
            return xp.maximum(z, 0) - z * target + xp.log1p(xp.exp(-xp.abs(z))), (target, z)
        eps = default_epsilon()
        p = xp.clip(output, eps, 1 - eps)
        loss = -(target * xp.log(p) + (1 - target) * xp.log(1 - p))
        return loss, (target, output, p, eps)

    def backward(self, xp, cache, dy):
        if self.from_logits:
            target, z = cache
            return -z * dy, (_sigmoid(xp, z) - target) * dy
        target, output, p, eps = cache
        inside = (output > eps) & (output < 1 - eps)
        d_output = xp.where(inside, (1 - target) / (1 - p) - target / p, 0) * dy
        return (xp.log(1 - p) - xp.log(p)) * dy, d_output


def binary_crossentropy(target, output, from_logits=False):
    return BinaryCrossentropy(from_logits)(target, output)


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    return CategoricalCrossentropy(from_logits, axis)(target, output)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    return SparseCategoricalCrossentropy(from_logits, axis)(target, output)


__getattr__ = missing_names(__name__)   # names Keras has and nnkit lacks say so
