"""In-place activations for recurrent step loops, with derivatives from the output.

The step loop keeps only activated values, so each derivative is written in
terms of the output ``a`` (tanh: ``1 - a²``, sigmoid: ``a(1 - a)``, relu:
``a > 0``, linear: 1). Everything writes into given buffers: no allocation per
step. Sigmoid is ``0.5·tanh(z/2) + 0.5`` (no overflow, faster than exp).
"""
from nnkit.errors import InvalidArgumentError

NAMES = ("tanh", "sigmoid", "relu", "linear")


def check_name(layer_name, argument, name):
    """Validate an activation name for a recurrent cell and return it."""
    name = "linear" if name is None else name
    if name not in NAMES:
        raise InvalidArgumentError(f"layer '{layer_name}': {argument} must be one of {NAMES}, "
                                   f"received {name!r}")
    return name


def activate_(xp, name, z):
    """Replace ``z`` by ``name(z)``."""
    if name == "tanh":
        xp.tanh(z, out=z)
    elif name == "sigmoid":
        z *= 0.5
        xp.tanh(z, out=z)
        z *= 0.5
        z += 0.5
    elif name == "relu":
        xp.maximum(z, 0, out=z)


def derivative_(xp, name, a, out):
    """Write ``name'(z)`` into ``out``, given the activation's output ``a``."""
    if name == "tanh":
        xp.multiply(a, a, out=out)
        xp.subtract(1.0, out, out=out)
    elif name == "sigmoid":
        xp.subtract(1.0, a, out=out)
        out *= a
    elif name == "relu":
        xp.greater(a, 0, out=out)
    else:
        out.fill(1.0)
