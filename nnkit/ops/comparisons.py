"""Comparisons, logical ops and float tests: ``equal``, ``greater``, ``logical_and``, ``isnan``, ...

Each returns a bool array (the broadcast shape of its operands) and takes no gradient
(``differentiable = False``: a step function's gradient is zero almost everywhere, and
Keras's backends send none back). The logical ops read any nonzero number as true.
"""
from nnkit.ops.op import OPS, Op, binary_function, unary_function

__all__ = ["equal", "not_equal", "greater", "greater_equal", "less", "less_equal",
           "logical_and", "logical_or", "logical_xor", "logical_not", "isnan", "isfinite",
           "isinf"]


class Predicate(Op):
    """An element-wise test of one or two arrays: a subclass writes ``compute(xp, *arrays)``."""

    differentiable = False

    def forward(self, xp, *arrays):
        return self.compute(xp, *arrays), len(arrays)

    def backward(self, xp, cache, dy):
        return (None,) * cache


@OPS.register
class Equal(Predicate):
    """``x1 == x2``."""

    name = "equal"
    compute = staticmethod(lambda xp, x1, x2: xp.equal(x1, x2))


@OPS.register
class NotEqual(Predicate):
    """``x1 != x2``."""

    name = "not_equal"
    compute = staticmethod(lambda xp, x1, x2: xp.not_equal(x1, x2))


@OPS.register
class Greater(Predicate):
    """``x1 > x2``."""

    name = "greater"
    compute = staticmethod(lambda xp, x1, x2: xp.greater(x1, x2))


@OPS.register
class GreaterEqual(Predicate):
    """``x1 >= x2``."""

    name = "greater_equal"
    compute = staticmethod(lambda xp, x1, x2: xp.greater_equal(x1, x2))


@OPS.register
class Less(Predicate):
    """``x1 < x2``."""

    name = "less"
    compute = staticmethod(lambda xp, x1, x2: xp.less(x1, x2))


@OPS.register
class LessEqual(Predicate):
    """``x1 <= x2``."""

    name = "less_equal"
    compute = staticmethod(lambda xp, x1, x2: xp.less_equal(x1, x2))


@OPS.register
class LogicalAnd(Predicate):
    """``x1 and x2``."""

    name = "logical_and"
    compute = staticmethod(lambda xp, x1, x2: xp.logical_and(x1, x2))


@OPS.register
class LogicalOr(Predicate):
    """``x1 or x2``."""

    name = "logical_or"
    compute = staticmethod(lambda xp, x1, x2: xp.logical_or(x1, x2))


@OPS.register
class LogicalXor(Predicate):
    """``x1 xor x2``: true where exactly one is true."""

    name = "logical_xor"
    compute = staticmethod(lambda xp, x1, x2: xp.logical_xor(x1, x2))


@OPS.register
class LogicalNot(Predicate):
    """``not x``."""

    name = "logical_not"
    compute = staticmethod(lambda xp, x: xp.logical_not(x))


@OPS.register
class Isnan(Predicate):
    """Whether ``x`` is NaN (never, for integers)."""

    name = "isnan"
    compute = staticmethod(lambda xp, x: xp.isnan(x))


@OPS.register
class Isfinite(Predicate):
    """Whether ``x`` is neither infinite nor NaN (always, for integers)."""

    name = "isfinite"
    compute = staticmethod(lambda xp, x: xp.isfinite(x))


@OPS.register
class Isinf(Predicate):
    """Whether ``x`` is +inf or -inf."""

    name = "isinf"
    compute = staticmethod(lambda xp, x: xp.isinf(x))


def _doc(op_class, how):
    return f"{op_class.__doc__[:-1]}{how} (a bool array)."


(equal, not_equal, greater, greater_equal, less, less_equal, logical_and, logical_or,
 logical_xor) = (binary_function(op_class, _doc(op_class, " element-wise, with broadcasting"))
                 for op_class in (Equal, NotEqual, Greater, GreaterEqual, Less, LessEqual,
                                  LogicalAnd, LogicalOr, LogicalXor))
logical_not, isnan, isfinite, isinf = (unary_function(op_class, _doc(op_class, ", element-wise"))
                                       for op_class in (LogicalNot, Isnan, Isfinite, Isinf))
