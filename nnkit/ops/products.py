"""Products: ``matmul``, ``dot``, ``tensordot``, ``inner``, ``vdot``, ``outer``, ``einsum``.

``tensordot`` and its special cases (``dot``, ``inner``, ``vdot``, ``outer``) are one
contraction: move ``x1``'s summed axes last and ``x2``'s first, flatten both to matrices
``A (F1, K)`` and ``B (K, F2)``, and ``y = A @ B``; then ``dA = dY @ Bᵀ``, ``dB = Aᵀ @ dY``,
reshaped and transposed back. ``matmul`` broadcasts its batch axes (the gradient of a
broadcast operand is summed back); ``einsum``'s gradient for each operand is another einsum.
"""
import math
import string

from nnkit.errors import InvalidArgumentError, ShapeError
from nnkit.ops.op import OPS, Op, normalize_axis, unbroadcast

__all__ = ["matmul", "tensordot", "dot", "inner", "vdot", "outer", "einsum"]


@OPS.register
class Matmul(Op):
    """``x1 @ x2``: matrix products over the last two axes, batch axes broadcast; a rank-1
    ``x1`` is a row ``(1, K)`` and a rank-1 ``x2`` a column ``(K, 1)``, that axis then dropped.

    Shapes: ``(N, 1, T, K) @ (H, K, D) → (N, H, T, D)``; ``(K,) @ (N, K, D) → (N, D)``.
    Gradient: ``dx1 = dy @ x2ᵀ``, ``dx2 = x1ᵀ @ dy``, each summed over the batch axes its
    operand was broadcast along.
    """

    name = "matmul"

    def forward(self, xp, x1, x2):
        if x1.ndim == 0 or x2.ndim == 0:
            raise InvalidArgumentError(f"ops.matmul: operands need at least one axis, received "
                                       f"shapes {x1.shape} and {x2.shape}")
        a = x1.reshape(1, -1) if x1.ndim == 1 else x1
        b = x2.reshape(-1, 1) if x2.ndim == 1 else x2
        try:
            y = a @ b
        except ValueError:
            raise ShapeError(f"ops.matmul: shapes {x1.shape} and {x2.shape} do not match (last "
                             f"axis of x1 against the second-to-last of x2, batch axes "
                             f"broadcast)") from None
        kept = y.shape[:-2] + y.shape[-2:-1] * (x1.ndim > 1) + y.shape[-1:] * (x2.ndim > 1)
        return y.reshape(kept), (a, b, x1.shape, x2.shape)

    def backward(self, xp, cache, dy):
        a, b, shape1, shape2 = cache
        batch = dy.shape[:dy.ndim - (len(shape1) > 1) - (len(shape2) > 1)]
        dy = dy.reshape(batch + (a.shape[-2], b.shape[-1]))
        da = unbroadcast(xp, dy @ xp.swapaxes(b, -1, -2), a.shape)
        db = unbroadcast(xp, xp.swapaxes(a, -1, -2) @ dy, b.shape)
        return da.reshape(shape1), db.reshape(shape2)


def matmul(x1, x2):
    """The matrix product ``x1 @ x2`` (batched, broadcasting; rank-1 operands as NumPy)."""
    return Matmul()(x1, x2)


def inverse(order):
    """The permutation that undoes ``order``."""
    return sorted(range(len(order)), key=order.__getitem__)


class Contraction(Op):
    """Base of the ops that sum products over paired axes of two operands (``contracted``).

    A subclass writes ``contracted(a, b) -> (axes_a, axes_b)`` and, if it flattens its
    operands first, ``operands(x1, x2)``. Output: ``a``'s other axes, then ``b``'s.
    """

    def operands(self, x1, x2):
        return x1, x2

    def forward(self, xp, x1, x2):
        a, b = self.operands(x1, x2)
        axes_a, axes_b = self.contracted(a, b)
        if [a.shape[axis] for axis in axes_a] != [b.shape[axis] for axis in axes_b]:
            raise ShapeError(f"ops.{self.name}: axes {list(axes_a)} of shape {x1.shape} and "
                             f"{list(axes_b)} of shape {x2.shape} differ in size")
        order_a = [axis for axis in range(a.ndim) if axis not in axes_a] + list(axes_a)
        order_b = list(axes_b) + [axis for axis in range(b.ndim) if axis not in axes_b]
        summed = math.prod(a.shape[axis] for axis in axes_a)
        free_a = [a.shape[axis] for axis in order_a[:a.ndim - len(axes_a)]]
        free_b = [b.shape[axis] for axis in order_b[len(axes_b):]]
        matrix_a = a.transpose(order_a).reshape(math.prod(free_a), summed)
        matrix_b = b.transpose(order_b).reshape(summed, math.prod(free_b))
        y = (matrix_a @ matrix_b).reshape(free_a + free_b)
        return y, (matrix_a, matrix_b, order_a, order_b, a.shape, b.shape, x1.shape, x2.shape)

    def backward(self, xp, cache, dy):
        matrix_a, matrix_b, order_a, order_b, shape_a, shape_b, shape1, shape2 = cache
        dy = dy.reshape(matrix_a.shape[0], matrix_b.shape[1])
        da = (dy @ matrix_b.T).reshape([shape_a[axis] for axis in order_a])
        db = (matrix_a.T @ dy).reshape([shape_b[axis] for axis in order_b])
        return (da.transpose(inverse(order_a)).reshape(shape1),
                db.transpose(inverse(order_b)).reshape(shape2))


def axis_pair(axes):
    """``tensordot``'s ``axes`` pair ``(axes of x1, axes of x2)`` as two lists of one length.

    Raises:
        InvalidArgumentError: anything else.
    """
    try:
        first, second = ([entry] if isinstance(entry, int) else list(entry) for entry in axes)
    except (TypeError, ValueError):
        first = second = None
    if first is None or len(first) != len(second):
        raise InvalidArgumentError(f"ops.tensordot: axes must be an int >= 0 or two axis lists "
                                   f"of one length, received {axes!r}")
    return first, second


@OPS.register
class Tensordot(Contraction):
    """Products summed over ``axes``: an int N (``x1``'s last N axes with ``x2``'s first N)
    or a pair of axis lists. Shapes: ``(N, T, D)``, ``(D, H)``, axes 1 → ``(N, T, H)``."""

    name = "tensordot"

    def __init__(self, axes=2):
        self.axes = axes if isinstance(axes, int) and not isinstance(axes, bool) else \
            axis_pair(axes)
        if isinstance(self.axes, int) and self.axes < 0:
            raise InvalidArgumentError(f"ops.tensordot: axes must be >= 0, received {axes!r}")

    def get_config(self):
        return {"axes": self.axes if isinstance(self.axes, int) else [list(self.axes[0]),
                                                                      list(self.axes[1])]}

    def contracted(self, a, b):
        if isinstance(self.axes, int):
            if self.axes > min(a.ndim, b.ndim):
                raise ShapeError(f"ops.tensordot: axes={self.axes} exceeds the rank of shapes "
                                 f"{a.shape} and {b.shape}")
            return tuple(range(a.ndim - self.axes, a.ndim)), tuple(range(self.axes))
        return (normalize_axis(tuple(self.axes[0]), a.ndim, self.name),
                normalize_axis(tuple(self.axes[1]), b.ndim, self.name))


def tensordot(x1, x2, axes=2):
    """Products of ``x1`` and ``x2`` summed over ``axes`` (see ``Tensordot``)."""
    return Tensordot(axes)(x1, x2)


@OPS.register
class Dot(Contraction):
    """NumPy's ``dot``: ``x1``'s last axis with ``x2``'s second-to-last (its only one when
    rank 1); a 0-D operand multiplies. Shapes: ``(N, D) · (D, H) → (N, H)``,
    ``(N, T, D) · (D,) → (N, T)``, ``(A, D) · (B, D, H) → (A, B, H)``."""

    name = "dot"

    def contracted(self, a, b):
        if a.ndim == 0 or b.ndim == 0:
            return (), ()
        return (a.ndim - 1,), (max(b.ndim - 2, 0),)


def dot(x1, x2):
    """NumPy's ``dot`` of ``x1`` and ``x2`` (see ``Dot``)."""
    return Dot()(x1, x2)


@OPS.register
class Inner(Contraction):
    """Products summed over the last axes of both (a 0-D operand multiplies).
    Shapes: ``(N, D)``, ``(M, D)`` → ``(N, M)``."""

    name = "inner"

    def contracted(self, a, b):
        if a.ndim == 0 or b.ndim == 0:
            return (), ()
        return (a.ndim - 1,), (b.ndim - 1,)


def inner(x1, x2):
    """The inner product of ``x1`` and ``x2`` over their last axes."""
    return Inner()(x1, x2)


class FlatContraction(Contraction):
    """A contraction of the two operands flattened to vectors."""

    def operands(self, x1, x2):
        return x1.reshape(-1), x2.reshape(-1)


@OPS.register
class Vdot(FlatContraction):
    """``sum(x1 * x2)`` over the flattened operands (one size): a scalar."""

    name = "vdot"

    def contracted(self, a, b):
        return (0,), (0,)


def vdot(x1, x2):
    """The dot product of ``x1`` and ``x2`` flattened (real inputs: no conjugate)."""
    return Vdot()(x1, x2)


@OPS.register
class Outer(FlatContraction):
    """``y[i, j] = x1.ravel()[i] * x2.ravel()[j]``. Shapes: ``(M,)``, ``(N,)`` → ``(M, N)``."""

    name = "outer"

    def contracted(self, a, b):
        return (), ()


def outer(x1, x2):
    """The outer product of ``x1`` and ``x2`` (each flattened)."""
    return Outer()(x1, x2)


def explicit_subscripts(subscripts, ranks):
    """``einsum``'s subscripts as one letter string per operand and one for the output.

    ``...`` becomes letters the subscripts do not use (right-aligned, as NumPy broadcasts);
    without ``->`` the output is the ellipsis, then the letters used once, in ASCII order.

    Raises:
        InvalidArgumentError: a count of terms other than the operands', a term whose length
            is not its operand's rank, a non-letter, or a letter repeated within one term.
    """
    left, arrow, output = subscripts.partition("->")
    terms = left.split(",")
    if len(terms) != len(ranks):
        raise InvalidArgumentError(f"ops.einsum: subscripts {subscripts!r} have {len(terms)} "
                                   f"terms for {len(ranks)} operands")
    spare = [letter for letter in string.ascii_letters if letter not in subscripts]
    widths = [rank - len(term) + 3 if "..." in term else 0 for term, rank in zip(terms, ranks)]
    ellipsis = "".join(spare[:max(widths, default=0)])
    terms = [term.replace("...", ellipsis[len(ellipsis) - width:])
             for term, width in zip(terms, widths)]
    joined = "".join(terms)
    if arrow:
        output = output.replace("...", ellipsis)
    else:
        output = ellipsis + "".join(sorted(letter for letter in set(joined)
                                           if joined.count(letter) == 1 and letter not in ellipsis))
    for index, (term, rank) in enumerate(zip(terms + [output], ranks + [len(output)])):
        what = "the output" if index == len(terms) else f"operand {index}"
        if len(term) != rank or not all(letter in string.ascii_letters for letter in term):
            raise InvalidArgumentError(f"ops.einsum: subscripts {subscripts!r}: {what} has rank "
                                       f"{rank}, its term {term!r} does not match")
        if len(set(term)) != len(term):
            raise InvalidArgumentError(f"ops.einsum: subscripts {subscripts!r}: an index repeated "
                                       f"within {what} ({term!r}, a diagonal) is not supported")
    return terms, output


@OPS.register
class Einsum(Op):
    """Einstein summation: ``y[output] = sum over the other indices of prod_k x_k[term_k]``.

    Example (attention, N batch, T/S time, H heads, D head size): scores
    ``einsum("aecd,abcd->acbe", k (N, S, H, D), q (N, T, H, D)) → (N, H, T, S)``.
    Gradient of operand k: the einsum of ``dy`` (output indices) with the other operands, to
    ``term_k``; here ``dk = einsum("acbe,abcd->aecd", dy, q)``. Indices of ``term_k`` found
    nowhere else were summed over ``x_k`` alone, so its gradient is the same along them
    (broadcast); a size-1 axis that NumPy broadcast against another operand is summed back.
    Supported: explicit ``->`` or implicit output, ``...``; not: an index repeated within one
    operand (a diagonal).
    """

    name = "einsum"

    def __init__(self, subscripts):
        if not isinstance(subscripts, str):
            raise InvalidArgumentError(f"ops.einsum: subscripts must be a string, received "
                                       f"{subscripts!r}")
        self.subscripts = subscripts.replace(" ", "")

    def get_config(self):
        return {"subscripts": self.subscripts}

    def forward(self, xp, *operands):
        terms, output = explicit_subscripts(self.subscripts, [x.ndim for x in operands])
        try:
            y = xp.einsum(",".join(terms) + "->" + output, *operands)
        except ValueError as error:
            raise ShapeError(f"ops.einsum: subscripts {self.subscripts!r} do not fit shapes "
                             f"{[x.shape for x in operands]} ({error})") from None
        return y, (operands, terms, output)

    def backward(self, xp, cache, dy):
        operands, terms, output = cache
        grads = []
        for k, (x, term) in enumerate(zip(operands, terms)):
            others = [(other, array) for j, (other, array) in enumerate(zip(terms, operands))
                      if j != k]
            seen = set(output).union(*(other for other, _ in others))
            kept = "".join(letter for letter in term if letter in seen)
            grad = xp.einsum(",".join([output] + [other for other, _ in others]) + "->" + kept,
                             dy, *(array for _, array in others))
            absent = tuple(axis for axis, letter in enumerate(term) if letter not in seen)
            grad = unbroadcast(xp, xp.expand_dims(grad, absent), x.shape)
            grads.append(grad if grad.shape == x.shape else xp.broadcast_to(grad, x.shape))
        return tuple(grads)


def einsum(subscripts, *operands, **kwargs):
    """Einstein summation of ``operands`` (see ``Einsum``); NumPy's keyword options are refused."""
    if kwargs:
        raise InvalidArgumentError(f"ops.einsum: options {sorted(kwargs)} are not supported by "
                                   f"nnkit")
    return Einsum(subscripts)(*operands)
