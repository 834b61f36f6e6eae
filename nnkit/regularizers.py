"""Weight regularisers (Keras's ``keras.regularizers``): a penalty added to the loss and its gradient.

A layer takes ``kernel_regularizer`` (and ``bias_regularizer``, ``recurrent_regularizer``,
``embeddings_regularizer`` where it has those weights). The model adds every penalty to
the reported and trained loss (as Keras), and its gradient, written by hand here, to the
weight's gradient.
"""
from nnkit.errors import InvalidArgumentError
from nnkit.keras_names import missing_names
from nnkit.registry import object_config, object_from_spec


class Regularizer:
    """Base: ``penalty(xp, w) -> float`` and ``gradient(xp, w) -> dpenalty/dw``."""

    def penalty(self, xp, weight):
        raise NotImplementedError

    def gradient(self, xp, weight):
        raise NotImplementedError

    def get_config(self):
        return dict(vars(self))


class L1L2(Regularizer):
    """``l1·Σ|w| + l2·Σw²``; gradient ``l1·sign(w) + 2·l2·w`` (sign(0) = 0)."""

    def __init__(self, l1=0.0, l2=0.0):
        for name, value in (("l1", l1), ("l2", l2)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise InvalidArgumentError(f"{type(self).__name__}: {name} must be a number >= 0, "
                                           f"received {value!r}")
        self.l1, self.l2 = float(l1), float(l2)

    def penalty(self, xp, weight):
        total = 0.0
        if self.l1:
            total += self.l1 * float(xp.abs(weight).sum())
        if self.l2:
            total += self.l2 * float((weight * weight).sum())
        return total

    def gradient(self, xp, weight):
        grad = xp.zeros_like(weight)
        if self.l1:
            grad += self.l1 * xp.sign(weight)
        if self.l2:
            grad += (2.0 * self.l2) * weight
        return grad


class L1(L1L2):
    """``l1·Σ|w|`` (default l1 = 0.01, as Keras's "l1")."""

    def __init__(self, l1=0.01):
        super().__init__(l1=l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    """``l2·Σw²`` (default l2 = 0.01, as Keras's "l2")."""

    def __init__(self, l2=0.01):
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


_CLASSES = {cls.__name__: cls for cls in (L1, L2, L1L2)}
_NAMES = {"l1": L1, "l2": L2, "l1_l2": L1L2}


def get(spec):
    """A Regularizer from None, a name ("l1", "l2", "l1_l2"), a config dict or an instance."""
    return object_from_spec(spec, "regularizer", Regularizer, _NAMES, _CLASSES,
                            "nnkit.regularizers")


serialize = object_config

__getattr__ = missing_names(__name__)   # names Keras has and nnkit lacks say so
