"""Cases for ``nnkit/ops/padding.py``: references built with ``np.block`` and ``np.r_``."""
import numpy as np

from nnkit.ops.padding import Pad
from op_cases.case import OpCase
from op_cases.common import normal


CASES = {
    "Pad": [OpCase(lambda: Pad(((1, 2), (0, 3)), constant_values=1.5), normal((2, 3)),
                   lambda x: np.block([[np.full((1, 6), 1.5)],
                                       [x, np.full((2, 3), 1.5)], [np.full((2, 6), 1.5)]])),
            OpCase(lambda: Pad(1), normal((2,)), lambda x: np.r_[0.0, x, 0.0])],
}
