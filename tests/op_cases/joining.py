"""Cases for ``nnkit/ops/joining.py``: references written with NumPy directly; ``split``'s
reference is the list of its pieces, cut by slicing."""
import numpy as np

from nnkit.ops.joining import Concatenate, Split, Stack
from op_cases.case import OpCase
from op_cases.common import normal


CASES = {
    "Concatenate": [OpCase(lambda: Concatenate(1), normal((2, 1), (2, 3), (2, 2)),
                           lambda *xs: np.hstack(xs)),
                    OpCase(lambda: Concatenate(-1), normal((2, 3, 1), (2, 3, 2)),
                           lambda a, b: np.dstack([a, b]))],
    "Stack": [OpCase(lambda: Stack(1), normal((2, 3), (2, 3), (2, 3)),
                     lambda *xs: np.array(xs).transpose(1, 0, 2)),
              OpCase(Stack, normal((4,), (4,)), lambda a, b: np.array([a, b]))],
    "Split": [OpCase(lambda: Split(3, axis=1), normal((4, 6)),
                     lambda x: [x[:, 0:2], x[:, 2:4], x[:, 4:6]]),
              OpCase(lambda: Split([1, 4]), normal((5, 3)),
                     lambda x: [x[:1], x[1:4], x[4:]]),
              OpCase(lambda: Split((2,), axis=-1), normal((2, 3, 5)),
                     lambda x: [x[..., :2], x[..., 2:]])],
}
