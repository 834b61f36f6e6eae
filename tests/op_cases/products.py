"""Cases for ``nnkit/ops/products.py``: references are plain sums of products (``np.einsum``
with explicit indices, or loops); matmul broadcasts batch axes and takes rank-1 operands."""
import numpy as np

from nnkit.ops.products import Dot, Einsum, Inner, Matmul, Outer, Tensordot, Vdot
from op_cases.case import OpCase


def normal(*shapes):
    """Inputs: one float64 array per shape."""
    return lambda rng: tuple(rng.normal(size=shape) for shape in shapes)


def einsum_case(subscripts, *shapes):
    """``Einsum(subscripts)`` against ``np.einsum`` on operands of ``shapes``."""
    return OpCase(lambda: Einsum(subscripts), normal(*shapes),
                  lambda *xs: np.einsum(subscripts, *xs))


CASES = {
    "Matmul": [OpCase(Matmul, normal((3, 4), (4, 2)), lambda a, b: np.einsum("ik,kj->ij", a, b)),
               OpCase(Matmul, normal((2, 1, 3, 4), (3, 4, 2)),
                      lambda a, b: np.einsum("nxik,hkj->nhij", a, b)),
               OpCase(Matmul, normal((1, 3, 4), (2, 4, 2)),
                      lambda a, b: np.einsum("ik,nkj->nij", a[0], b)),
               OpCase(Matmul, normal((4,), (2, 4, 3)), lambda a, b: np.einsum("k,nkj->nj", a, b)),
               OpCase(Matmul, normal((2, 3, 4), (4,)), lambda a, b: np.einsum("nik,k->ni", a, b)),
               OpCase(Matmul, normal((4,), (4,)), lambda a, b: sum(a * b))],
    "Dot": [OpCase(Dot, normal((3, 4), (4, 2)), lambda a, b: np.einsum("ik,kj->ij", a, b)),
            OpCase(Dot, normal((2, 3, 4), (4,)), lambda a, b: np.einsum("nik,k->ni", a, b)),
            OpCase(Dot, normal((2, 4), (3, 4, 2)), lambda a, b: np.einsum("ak,bkc->abc", a, b)),
            OpCase(Dot, normal((), (2, 3)), lambda a, b: a * b),
            OpCase(Dot, normal((4,), (4,)), lambda a, b: sum(a * b))],
    "Tensordot": [OpCase(Tensordot, normal((2, 3, 4), (3, 4, 2)),
                         lambda a, b: np.einsum("ijk,jkl->il", a, b)),
                  OpCase(lambda: Tensordot(1), normal((2, 3, 4), (4, 2)),
                         lambda a, b: np.einsum("ntk,kh->nth", a, b)),
                  OpCase(lambda: Tensordot(([1, 0], [0, 2])), normal((2, 3, 4), (3, 2, 2)),
                         lambda a, b: np.einsum("jik,ilj->kl", a, b))],
    "Inner": [OpCase(Inner, normal((3, 4), (2, 4)), lambda a, b: np.einsum("ik,jk->ij", a, b)),
              OpCase(Inner, normal((4,), (4,)), lambda a, b: sum(a * b))],
    "Vdot": [OpCase(Vdot, normal((2, 3), (3, 2)), lambda a, b: sum(a.flatten() * b.flatten()))],
    "Outer": [OpCase(Outer, normal((3,), (2, 2)),
                     lambda a, b: a[:, None] * b.flatten()[None, :])],
    "Einsum": [einsum_case("aecd,abcd->acbe", (2, 3, 2, 4), (2, 5, 2, 4)),
               einsum_case("acbe,aecd->abcd", (2, 2, 5, 3), (2, 3, 2, 4)),
               einsum_case("abc,cde->abde", (2, 3, 4), (4, 2, 3)),
               einsum_case("abcd,cde->abe", (2, 3, 2, 4), (2, 4, 3)),
               einsum_case("bij,bjk->bik", (2, 3, 4), (2, 4, 2)),
               einsum_case("ij,jk", (3, 4), (4, 2)),
               einsum_case("...ij,jk->...ik", (2, 2, 3, 4), (4, 2)),
               einsum_case("ij,ij->i", (3, 4), (3, 1)),
               einsum_case("ijk,k->i", (2, 3, 4), (4,)),
               einsum_case("ij,jk,kl->il", (2, 3), (3, 4), (4, 2)),
               einsum_case("ij->", (2, 3))],
}
