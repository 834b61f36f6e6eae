"""Cases for ``nnkit/ops/shapes.py``: references written with NumPy directly; gathers with
repeated indices check that the gradient sums over every copy."""
import numpy as np

from nnkit.ops.shapes import (BroadcastTo, Concatenate, ExpandDims, Flip, GetItem, Moveaxis, Pad,
                              Ravel, Repeat, Reshape, Split, Squeeze, Stack, Swapaxes, Take,
                              TakeAlongAxis, Tile, Transpose)
from op_cases.case import OpCase


def normal(*shapes):
    """Inputs: one float64 array per shape."""
    return lambda rng: tuple(rng.normal(size=shape) for shape in shapes)


def with_indices(shape, indices):
    """Inputs: a float64 array and fixed integer indices."""
    return lambda rng: (rng.normal(size=shape), np.array(indices))


CASES = {
    "Reshape": [OpCase(lambda: Reshape((4, -1)), normal((2, 3, 4)), lambda x: x.reshape(4, 6)),
                OpCase(lambda: Reshape(6), normal((2, 3)), lambda x: x.reshape(6))],
    "ExpandDims": [OpCase(lambda: ExpandDims(1), normal((2, 3)), lambda x: x[:, None, :]),
                   OpCase(lambda: ExpandDims((0, -1)), normal((2, 3)),
                          lambda x: x[None, :, :, None])],
    "Squeeze": [OpCase(Squeeze, normal((2, 1, 3, 1)), lambda x: x[:, 0, :, 0]),
                OpCase(lambda: Squeeze(-1), normal((1, 3, 1)), lambda x: x[:, :, 0])],
    "Ravel": [OpCase(Ravel, normal((2, 3, 2)), lambda x: x.flatten())],
    "Transpose": [OpCase(Transpose, normal((2, 3, 4)), lambda x: x.transpose(2, 1, 0)),
                  OpCase(lambda: Transpose((1, -1, 0)), normal((2, 3, 4)),
                         lambda x: np.einsum("abc->bca", x))],
    "Swapaxes": [OpCase(lambda: Swapaxes(0, -1), normal((2, 3, 4)),
                        lambda x: np.einsum("abc->cba", x))],
    "Moveaxis": [OpCase(lambda: Moveaxis(0, -1), normal((2, 3, 4)),
                        lambda x: np.einsum("abc->bca", x)),
                 OpCase(lambda: Moveaxis([0, 1], [2, 0]), normal((2, 3, 4)),
                        lambda x: np.einsum("abc->bca", x))],
    "Concatenate": [OpCase(lambda: Concatenate(1), normal((2, 1), (2, 3), (2, 2)),
                           lambda *xs: np.hstack(xs)),
                    OpCase(lambda: Concatenate(-1), normal((2, 3, 1), (2, 3, 2)),
                           lambda a, b: np.dstack([a, b]))],
    "Stack": [OpCase(lambda: Stack(1), normal((2, 3), (2, 3), (2, 3)),
                     lambda *xs: np.array(xs).transpose(1, 0, 2)),
              OpCase(Stack, normal((4,), (4,)), lambda a, b: np.array([a, b]))],
    # The harness compares one array: equal pieces, stacked.
    "Split": [OpCase(lambda: Split(3, axis=1), normal((4, 6)),
                     lambda x: np.array([x[:, 0:2], x[:, 2:4], x[:, 4:6]]))],
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
    "Pad": [OpCase(lambda: Pad(((1, 2), (0, 3)), constant_values=1.5), normal((2, 3)),
                   lambda x: np.block([[np.full((1, 6), 1.5)],
                                       [x, np.full((2, 3), 1.5)], [np.full((2, 6), 1.5)]])),
            OpCase(lambda: Pad(1), normal((2,)), lambda x: np.r_[0.0, x, 0.0])],
    "Flip": [OpCase(Flip, normal((2, 3)), lambda x: x[::-1, ::-1]),
             OpCase(lambda: Flip(axis=1), normal((2, 3, 2)), lambda x: x[:, ::-1])],
    "BroadcastTo": [OpCase(lambda: BroadcastTo((2, 3, 4)), normal((3, 1)),
                           lambda x: x + np.zeros((2, 3, 4))),
                    OpCase(lambda: BroadcastTo((3, 4)), normal((4,)), lambda x: np.array([x] * 3))],
}
