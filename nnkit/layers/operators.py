"""Python's operators on symbolic tensors and weights, as Keras's ``KerasTensor`` has them.

``x + y``, ``x - y``, ``x * y``, ``x / y``, ``x ** y``, ``x @ y`` (and the reflected
forms), ``-x``, ``abs(x)``, ``x[...]`` and the ordering comparisons record ``nnkit.ops``
nodes. ``==`` and ``!=`` keep Python's identity meaning (a tensor is a dict key and a list
member in model code); use ``ops.equal`` / ``ops.not_equal`` for element-wise equality.
"""
from nnkit import ops


class Operators:
    """Mixin: the operators above, each the ``nnkit.ops`` function of the same maths."""

    __array_priority__ = 100             # NumPy defers ``array + tensor`` to these methods

    def __add__(self, other):
        return ops.add(self, other)

    def __radd__(self, other):
        return ops.add(other, self)

    def __sub__(self, other):
        return ops.subtract(self, other)

    def __rsub__(self, other):
        return ops.subtract(other, self)

    def __mul__(self, other):
        return ops.multiply(self, other)

    def __rmul__(self, other):
        return ops.multiply(other, self)

    def __truediv__(self, other):
        return ops.divide(self, other)

    def __rtruediv__(self, other):
        return ops.divide(other, self)

    def __pow__(self, other):
        return ops.power(self, other)

    def __rpow__(self, other):
        return ops.power(other, self)

    def __matmul__(self, other):
        return ops.matmul(self, other)

    def __rmatmul__(self, other):
        return ops.matmul(other, self)

    def __neg__(self):
        return ops.negative(self)

    def __abs__(self):
        return ops.abs(self)

    def __getitem__(self, key):
        return ops.get_item(self, key)

    def __lt__(self, other):
        return ops.less(self, other)

    def __le__(self, other):
        return ops.less_equal(self, other)

    def __gt__(self, other):
        return ops.greater(self, other)

    def __ge__(self, other):
        return ops.greater_equal(self, other)

    __hash__ = object.__hash__
