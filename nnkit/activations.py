"""Element-wise activations with their derivatives.

Each activation has ``forward(xp, z) -> a`` and ``backward(xp, da, z, a) -> dz``
(``z`` the pre-activation, ``a`` the output). Sigmoid is computed through tanh,
which never overflows and is faster than ``1 / (1 + exp(-z))``.
"""
from nnkit.errors import InvalidArgumentError


class Activation:
    """Base: the identity (``linear``)."""

    name = "linear"

    def forward(self, xp, z):
        return z

    def backward(self, xp, da, z, a):
        return da


class Sigmoid(Activation):
    name = "sigmoid"

    def forward(self, xp, z):
        a = xp.tanh(z * 0.5)
        a += 1.0
        a *= 0.5
        return a

    def backward(self, xp, da, z, a):
        return da * a * (1.0 - a)


class Tanh(Activation):
    name = "tanh"

    def forward(self, xp, z):
        return xp.tanh(z)

    def backward(self, xp, da, z, a):
        return da * (1.0 - a * a)


class Relu(Activation):
    name = "relu"

    def forward(self, xp, z):
        return xp.maximum(z, 0)

    def backward(self, xp, da, z, a):
        return da * (z > 0)


class Softmax(Activation):
    """Softmax over the last axis."""

    name = "softmax"

    def forward(self, xp, z):
        e = xp.exp(z - z.max(axis=-1, keepdims=True))
        e /= e.sum(axis=-1, keepdims=True)
        return e

    def backward(self, xp, da, z, a):
        return a * (da - (da * a).sum(axis=-1, keepdims=True))


_ACTIVATIONS = {cls.name: cls() for cls in (Activation, Sigmoid, Tanh, Relu, Softmax)}


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
