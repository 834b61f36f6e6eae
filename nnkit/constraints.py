"""Weight constraints (Keras's ``keras.constraints``), applied to a weight after each update.

``MaxNorm`` is theano-lstm's max_norm. A layer takes ``kernel_constraint`` (and
``bias_constraint``, ``recurrent_constraint``, ``embeddings_constraint``).
"""
from nnkit.errors import InvalidArgumentError
from nnkit.keras_names import missing_names
from nnkit.registry import object_config, object_from_spec

EPSILON = 1e-7


class Constraint:
    """Base: ``__call__(xp, w)`` returns the projected weight."""

    def __call__(self, xp, weight):
        raise NotImplementedError

    def get_config(self):
        return dict(vars(self))


def _norms(xp, weight, axis):
    return xp.sqrt((weight * weight).sum(axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """Rescale each slice along ``axis`` whose L2 norm exceeds ``max_value``:
    ``w · clip(|w|, 0, max) / (ε + |w|)``."""

    def __init__(self, max_value=2.0, axis=0):
        self.max_value, self.axis = float(max_value), axis

    def __call__(self, xp, weight):
        norms = _norms(xp, weight, self.axis)
        return weight * (xp.clip(norms, 0, self.max_value) / (EPSILON + norms))


class NonNeg(Constraint):
    """Negative entries become 0."""

    def __call__(self, xp, weight):
        return weight * (weight >= 0)


class UnitNorm(Constraint):
    """Each slice along ``axis`` scaled to unit L2 norm: ``w / (ε + |w|)``."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, xp, weight):
        return weight / (EPSILON + _norms(xp, weight, self.axis))


class MinMaxNorm(Constraint):
    """Norms moved towards ``[min_value, max_value]``:
    ``w · (rate·clip(|w|, min, max) + (1 − rate)·|w|) / (ε + |w|)``."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        if not 0.0 <= min_value <= max_value:
            raise InvalidArgumentError(f"MinMaxNorm: expected 0 <= min_value <= max_value, "
                                       f"received {min_value!r}, {max_value!r}")
        self.min_value, self.max_value, self.rate, self.axis = (float(min_value),
                                                                float(max_value), float(rate),
                                                                axis)

    def __call__(self, xp, weight):
        norms = _norms(xp, weight, self.axis)
        desired = self.rate * xp.clip(norms, self.min_value, self.max_value) + \
            (1 - self.rate) * norms
        return weight * (desired / (EPSILON + norms))


_CLASSES = {cls.__name__: cls for cls in (MaxNorm, NonNeg, UnitNorm, MinMaxNorm)}
_NAMES = {"max_norm": MaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm,
          "min_max_norm": MinMaxNorm}


def get(spec):
    """A Constraint from None, a name ("max_norm", "non_neg", "unit_norm", "min_max_norm"),
    a config dict or an instance."""
    return object_from_spec(spec, "constraint", Constraint, _NAMES, _CLASSES,
                            "nnkit.constraints")


serialize = object_config

__getattr__ = missing_names(__name__)   # names Keras has and nnkit lacks say so
