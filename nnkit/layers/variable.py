"""Variable: the handle ``add_weight`` returns, Keras's ``layer.kernel``.

It names one parameter of a layer (``layer.params[key]``, which ``set_weights`` and the
optimizers update in place). Outside a trace it behaves as that array in ops and with
operators; inside a trace of a ``call()`` it becomes a symbolic tensor read by a
``ReadVariable`` node, so the gradient reaches ``layer.grads[key]``.
"""
from nnkit.backend import get_backend
from nnkit.layers import trace as tracing
from nnkit.layers.operators import Operators


class Variable(Operators):
    """A layer's weight ``key`` (Keras's ``keras.Variable`` as returned by ``add_weight``).

    Attributes:
        layer, key: the owner and the parameter's key in ``layer.params``.
        trainable: whether optimizers update it.
    """

    is_variable = True

    def __init__(self, layer, key):
        self.layer, self.key = layer, key

    @property
    def value(self):
        """The parameter array itself (on the backend)."""
        return self.layer.params[self.key]

    @property
    def name(self):
        return self.key

    @property
    def path(self):
        return f"{self.layer.name}/{self.key}"

    @property
    def trainable(self):
        return self.layer.trainable and self.key not in self.layer.non_trainable_keys

    shape = property(lambda self: tuple(self.value.shape))
    dtype = property(lambda self: str(self.value.dtype))
    ndim = property(lambda self: self.value.ndim)

    def traced_tensor(self):
        """The symbolic tensor standing for this weight in the active trace (made once per
        trace), or ``self`` outside a trace."""
        trace = tracing.active()
        return self if trace is None else trace.read(self)

    def numpy(self):
        """A host copy of the weight."""
        return get_backend().to_numpy(self.value).copy()

    def assign(self, value):
        """Overwrite the weight in place (Keras's ``variable.assign``)."""
        self.value[...] = get_backend().asarray(value, dtype=self.value.dtype)

    def __array__(self, dtype=None, copy=None):
        array = self.numpy()
        return array if dtype is None else array.astype(dtype)

    def __repr__(self):
        return f"<Variable {self.path} shape={self.shape} dtype={self.dtype}>"
