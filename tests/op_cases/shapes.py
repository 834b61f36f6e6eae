"""Cases for ``nnkit/ops/shapes.py``: references written with NumPy directly."""
import numpy as np

from nnkit.ops.shapes import BroadcastTo, ExpandDims, Ravel, Reshape, Squeeze
from op_cases.case import OpCase
from op_cases.common import normal


CASES = {
    "Reshape": [OpCase(lambda: Reshape((4, -1)), normal((2, 3, 4)), lambda x: x.reshape(4, 6)),
                OpCase(lambda: Reshape(6), normal((2, 3)), lambda x: x.reshape(6))],
    "ExpandDims": [OpCase(lambda: ExpandDims(1), normal((2, 3)), lambda x: x[:, None, :]),
                   OpCase(lambda: ExpandDims((0, -1)), normal((2, 3)),
                          lambda x: x[None, :, :, None])],
    "Squeeze": [OpCase(Squeeze, normal((2, 1, 3, 1)), lambda x: x[:, 0, :, 0]),
                OpCase(lambda: Squeeze(-1), normal((1, 3, 1)), lambda x: x[:, :, 0])],
    "Ravel": [OpCase(Ravel, normal((2, 3, 2)), lambda x: x.flatten())],
    "BroadcastTo": [OpCase(lambda: BroadcastTo((2, 3, 4)), normal((3, 1)),
                           lambda x: x + np.zeros((2, 3, 4))),
                    OpCase(lambda: BroadcastTo((3, 4)), normal((4,)), lambda x: np.array([x] * 3))],
}
