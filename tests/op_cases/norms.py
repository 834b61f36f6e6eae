"""Cases for ``nnkit/ops/norms.py``: references are NumPy's ``var``, ``std``,
``logaddexp.reduce`` and ``linalg.norm``."""
import functools

import numpy as np

from nnkit.ops import norms
from op_cases.case import OpCase
from op_cases.common import normal, reduction_cases


def norm_case(ord, axis, shape, keepdims=False):
    return OpCase(lambda: norms.Norm(ord, axis, keepdims), normal(shape),
                  lambda x: np.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims))


CASES = {
    "Var": reduction_cases(norms.Var, np.var),
    "Std": reduction_cases(norms.Std, np.std),
    "Logsumexp": reduction_cases(norms.Logsumexp, lambda x, axis, keepdims=False:
                                 np.logaddexp.reduce(x, axis=axis, keepdims=keepdims))
    + [OpCase(functools.partial(norms.Logsumexp, 1),
              lambda rng: (rng.normal(size=(2, 3)) + np.array([[1000.0], [-1000.0]]),),
              lambda x: np.logaddexp.reduce(x, axis=1))],
    "Norm": [norm_case(None, None, (5,)), norm_case(None, -1, (3, 4), keepdims=True),
             norm_case(None, None, (2, 3, 4)), norm_case(1, 1, (3, 4)),
             norm_case(np.inf, 0, (3, 4)), norm_case(-np.inf, 1, (3, 4)),
             norm_case(3, 1, (3, 4)), norm_case(-1.5, None, (4,)),
             norm_case("fro", (1, 2), (2, 3, 4)), norm_case(1, None, (3, 4)),
             norm_case(np.inf, (0, 1), (3, 4)), norm_case(-1, (1, 0), (3, 4)),
             norm_case(-np.inf, (2, 0), (2, 3, 4), keepdims=True)],
}
