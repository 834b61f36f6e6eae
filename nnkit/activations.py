"""Element-wise activations with their derivatives: the one activation system of nnkit.

Every activation has ``forward(xp, z) -> a`` and ``backward(xp, da, z, a) -> dz``
(``z`` the pre-activation, ``a`` the output), as layers use them (``get``).

The element-wise ones whose derivative is a function of the output alone
(``Elementwise``: linear, sigmoid, tanh, relu) also work in place, as the
recurrent step loops use them (``get_inplace``): ``forward_(xp, z)`` replaces
``z`` by ``a`` and ``derivative_(xp, a, out)`` writes ``f'(z)`` into ``out``
from ``a`` (tanh: ``1 - a²``, sigmoid: ``a(1 - a)``, relu: ``a > 0``, linear:
1), so a loop that keeps only activated values allocates nothing per step.
``backward`` is ``da`` times that derivative.

Sigmoid is computed as ``½·tanh(z/2) + ½``, which never overflows and is
faster than ``1 / (1 + exp(-z))``.
"""
from nnkit.errors import InvalidArgumentError
from nnkit.keras_names import missing_names


class Activation:
    """An activation: ``name``, ``forward`` and ``backward``."""

    name = None

    def forward(self, xp, z):
        raise NotImplementedError

    def backward(self, xp, da, z, a):
        raise NotImplementedError


class Elementwise(Activation):
    """An element-wise activation with in-place forms; ``f'(z)`` is a function of ``a``."""

    def forward_(self, xp, z):
        """Replace ``z`` by ``f(z)``."""
        raise NotImplementedError

    def derivative_(self, xp, a, out):
        """Write ``f'(z)`` into ``out`` (same shape as ``a``), given the output ``a = f(z)``."""
        raise NotImplementedError

    def backward(self, xp, da, z, a):
        dz = xp.empty(a.shape, xp.result_type(da, a))
        self.derivative_(xp, a, dz)
        dz *= da
        return dz


class Linear(Elementwise):
    """The identity."""

    name = "linear"

    def forward(self, xp, z):
        return z

    def forward_(self, xp, z):
        pass

    def derivative_(self, xp, a, out):
        out.fill(1.0)

    def backward(self, xp, da, z, a):
        return da


class Sigmoid(Elementwise):
    name = "sigmoid"

    def forward(self, xp, z):
        a = xp.tanh(z * 0.5)
        a += 1.0
        a *= 0.5
        return a

    def forward_(self, xp, z):
        z *= 0.5
        xp.tanh(z, out=z)
        z *= 0.5
        z += 0.5

    def derivative_(self, xp, a, out):
        xp.subtract(1.0, a, out=out)
        out *= a


class Tanh(Elementwise):
    name = "tanh"

    def forward(self, xp, z):
        return xp.tanh(z)

    def forward_(self, xp, z):
        xp.tanh(z, out=z)

    def derivative_(self, xp, a, out):
        xp.multiply(a, a, out=out)
        xp.subtract(1.0, out, out=out)


class Relu(Elementwise):
    name = "relu"

    def forward(self, xp, z):
        return xp.maximum(z, 0)

    def forward_(self, xp, z):
        xp.maximum(z, 0, out=z)

    def derivative_(self, xp, a, out):
        xp.greater(a, 0, out=out)


class Softmax(Activation):
    """Softmax over the last axis (not element-wise: no in-place form)."""

    name = "softmax"

    def forward(self, xp, z):
        e = xp.exp(z - z.max(axis=-1, keepdims=True))
        e /= e.sum(axis=-1, keepdims=True)
        return e

    def backward(self, xp, da, z, a):
        return a * (da - (da * a).sum(axis=-1, keepdims=True))


_ACTIVATIONS = {cls.name: cls() for cls in (Linear, Sigmoid, Tanh, Relu, Softmax)}
INPLACE_NAMES = ("tanh", "sigmoid", "relu", "linear")


def get(name):
    """The activation called ``name`` (None means linear).

    Raises:
        InvalidArgumentError: unknown name.
    """
    if name is None:
        name = "linear"
    if name not in _ACTIVATIONS:
        raise InvalidArgumentError(
            f"unknown activation {name!r}: expected one of {sorted(_ACTIVATIONS)}")
    return _ACTIVATIONS[name]


def get_inplace(name, argument="activation"):
    """The ``Elementwise`` activation called ``name`` (None means linear), for in-place use.

    Args:
        argument: what the error message calls the argument, e.g. ``"layer 'lstm': activation"``.

    Raises:
        InvalidArgumentError: ``name`` is not one of ``INPLACE_NAMES``.
    """
    if name is None:
        name = "linear"
    if name not in INPLACE_NAMES:
        raise InvalidArgumentError(f"{argument} must be one of {INPLACE_NAMES}, "
                                   f"received {name!r}")
    return _ACTIVATIONS[name]

__getattr__ = missing_names(__name__)   # names Keras has and nnkit lacks say so
