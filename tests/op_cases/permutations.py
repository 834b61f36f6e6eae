"""Cases for ``nnkit/ops/permutations.py``: references written with ``np.einsum`` and slices."""
import numpy as np

from nnkit.ops.permutations import Flip, Moveaxis, Swapaxes, Transpose
from op_cases.case import OpCase
from op_cases.common import normal


CASES = {
    "Transpose": [OpCase(Transpose, normal((2, 3, 4)), lambda x: x.transpose(2, 1, 0)),
                  OpCase(lambda: Transpose((1, -1, 0)), normal((2, 3, 4)),
                         lambda x: np.einsum("abc->bca", x))],
    "Swapaxes": [OpCase(lambda: Swapaxes(0, -1), normal((2, 3, 4)),
                        lambda x: np.einsum("abc->cba", x))],
    "Moveaxis": [OpCase(lambda: Moveaxis(0, -1), normal((2, 3, 4)),
                        lambda x: np.einsum("abc->bca", x)),
                 OpCase(lambda: Moveaxis([0, 1], [2, 0]), normal((2, 3, 4)),
                        lambda x: np.einsum("abc->bca", x))],
    "Flip": [OpCase(Flip, normal((2, 3)), lambda x: x[::-1, ::-1]),
             OpCase(lambda: Flip(axis=1), normal((2, 3, 2)), lambda x: x[:, ::-1])],
}
