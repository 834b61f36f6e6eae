"""Cases for ``nnkit/ops/arg_reductions.py`` (no gradients: int32 indices; ``-0.0`` counts
as smaller than ``0.0``, as Keras)."""
import functools

import numpy as np

from nnkit.ops import arg_reductions as arg
from op_cases.case import OpCase
from op_cases.common import normal


CASES = {
    "Argmax": [OpCase(arg.Argmax, normal((3, 4)), np.argmax),
               OpCase(lambda: arg.Argmax(1, keepdims=True), normal((3, 4)),
                      lambda x: np.argmax(x, axis=1, keepdims=True)),
               OpCase(functools.partial(arg.Argmax, -1), lambda rng: (np.array([-0.0, 0.0]),),
                      lambda x: 1)],
    "Argmin": [OpCase(arg.Argmin, normal((3, 4)), np.argmin),
               OpCase(functools.partial(arg.Argmin, 0), normal((3, 4)),
                      lambda x: np.argmin(x, axis=0)),
               OpCase(arg.Argmin, lambda rng: (np.array([0.0, -0.0]),), lambda x: 1)],
}
