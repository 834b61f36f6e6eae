"""Cases for ``nnkit/ops/cumulative.py``: references are NumPy's ``cumsum``."""
import functools

import numpy as np

from nnkit.ops.cumulative import Cumsum
from op_cases.case import OpCase
from op_cases.common import normal


CASES = {
    "Cumsum": [OpCase(Cumsum, normal((2, 3)), np.cumsum),
               OpCase(functools.partial(Cumsum, 1), normal((2, 3, 4)),
                      lambda x: np.cumsum(x, axis=1)),
               OpCase(functools.partial(Cumsum, -3), normal((2, 3, 4)),
                      lambda x: np.cumsum(x, axis=0)),
               OpCase(Cumsum, lambda rng: (np.array([True, True, False]),),
                      lambda x: np.array([1, 2, 2]))],
}
