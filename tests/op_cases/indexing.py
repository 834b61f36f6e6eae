"""Cases for ``nnkit/ops/indexing.py``: references written with NumPy directly; gathers with
repeated indices check that the gradient sums over every copy."""
import numpy as np

from nnkit.ops.indexing import GetItem, Repeat, Take, TakeAlongAxis, Tile
from op_cases.case import OpCase
from op_cases.common import normal


def with_indices(shape, indices):
    """Inputs: a float64 array and fixed integer indices."""
    return lambda rng: (rng.normal(size=shape), np.array(indices))


CASES = {
    "Take": [OpCase(lambda: Take(axis=0), with_indices((4, 3), [[0, 2, 2], [3, 0, 0]]),
                    lambda x, ids: np.array([[x[i] for i in row] for row in ids]), (0,)),
             OpCase(Take, with_indices((2, 3), [5, -1, 0]),
                    lambda x, ids: x.flatten()[[5, 5, 0]], (0,)),
             OpCase(lambda: Take(axis=-1), with_indices((2, 3), [[1, 1]]),
                    lambda x, ids: np.stack([x[:, 1:2], x[:, 1:2]], axis=-1), (0,))],
    "TakeAlongAxis": [OpCase(lambda: TakeAlongAxis(axis=1),
                             with_indices((2, 3), [[2, 2, 0, 1], [0, 1, 1, 1]]),
                             lambda x, ids: np.array([x[0, [2, 2, 0, 1]], x[1, [0, 1, 1, 1]]]),
                             (0,)),
                      OpCase(TakeAlongAxis, with_indices((2, 2), [3, 3, 0]),
                             lambda x, ids: x.flatten()[[3, 3, 0]], (0,))],
    "GetItem": [OpCase(lambda: GetItem((slice(None), -1)), normal((2, 3, 4)),
                       lambda x: x[:, 2, :]),
                OpCase(lambda: GetItem((Ellipsis, None, slice(None, None, -2))), normal((2, 5)),
                       lambda x: x[:, [4, 2, 0]].reshape(2, 1, 3)),
                OpCase(lambda: GetItem([0, 2, 0]), normal((3, 2)),
                       lambda x: np.stack([x[0], x[2], x[0]])),
                OpCase(lambda: GetItem((slice(1, None), np.array([2, 0, 2]))), normal((3, 4)),
                       lambda x: np.stack([x[1:, 2], x[1:, 0], x[1:, 2]], axis=1)),
                OpCase(lambda: GetItem.from_config(GetItem((1, slice(None, 2))).get_config()),
                       normal((3, 4)), lambda x: x[1, :2])],
    "Repeat": [OpCase(lambda: Repeat(2, axis=1), normal((2, 3)),
                      lambda x: np.stack([x[:, j] for j in (0, 0, 1, 1, 2, 2)], axis=1)),
               OpCase(lambda: Repeat([1, 0, 2], axis=0), normal((3, 2)),
                      lambda x: np.stack([x[0], x[2], x[2]])),
               OpCase(lambda: Repeat(2), normal((2, 2)),
                      lambda x: np.array([v for v in x.flatten() for _ in range(2)]))],
    "Tile": [OpCase(lambda: Tile((2, 1)), normal((2, 3)), lambda x: np.vstack([x, x])),
             OpCase(lambda: Tile((2, 1, 3)), normal((2, 2)),
                    lambda x: np.array([np.hstack([x, x, x])] * 2))],
}
