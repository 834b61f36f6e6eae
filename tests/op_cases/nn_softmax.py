"""Cases for ``nnkit/ops/nn_softmax.py``: references are the textbook formulas in NumPy."""
import numpy as np

from nnkit.ops import nn_softmax as soft
from op_cases.case import OpCase
from op_cases.common import away_from, plain_softmax


CASES = {
    "Softmax": [
        OpCase(soft.Softmax, lambda rng: (rng.normal(size=(3, 5)),), plain_softmax),
        OpCase(lambda: soft.Softmax(0), lambda rng: (rng.normal(size=(3, 5)),),
               lambda x: plain_softmax(x, 0)),
        OpCase(lambda: soft.Softmax((0, 2)), lambda rng: (rng.normal(size=(2, 3, 4)),),
               lambda x: np.moveaxis(plain_softmax(
                   np.moveaxis(x, 1, 0).reshape(3, 8), -1).reshape(3, 2, 4), 0, 1)),
        OpCase(soft.Softmax, lambda rng: (rng.normal(size=(2, 4)) + 1000,),  # no overflow
               plain_softmax)],
    "LogSoftmax": [
        OpCase(soft.LogSoftmax, lambda rng: (rng.normal(size=(3, 5)),),
               lambda x: np.log(plain_softmax(x))),
        OpCase(lambda: soft.LogSoftmax(1), lambda rng: (rng.normal(size=(2, 3, 4)) * 3 - 900,),
               lambda x: np.log(plain_softmax(x, 1)))],
    "OneHot": [
        OpCase(lambda: soft.OneHot(4), lambda rng: (np.array([[0, 3, -1], [2, 2, 1]]),),
               lambda x: np.where(x[..., None] >= 0, np.eye(4)[x], 0)),
        OpCase(lambda: soft.OneHot(3, axis=0, dtype="int32"), lambda rng: (np.array([2, 0]),),
               lambda x: np.array([[0, 1], [0, 0], [1, 0]]))],
    "Normalize": [
        OpCase(soft.Normalize, lambda rng: (rng.normal(size=(3, 4)),),
               lambda x: x / np.sqrt(np.sum(x * x, axis=-1, keepdims=True))),
        OpCase(lambda: soft.Normalize(axis=(0, 2), order=1), away_from(0.0, shape=(2, 3, 2)),
               lambda x: x / np.sum(np.abs(x), axis=(0, 2), keepdims=True)),
        OpCase(lambda: soft.Normalize(order=3), away_from(0.0, shape=(2, 3)),
               lambda x: x / np.cbrt(np.sum(np.abs(x) ** 3, axis=-1, keepdims=True))),
        OpCase(lambda: soft.Normalize(epsilon=10.0), lambda rng: (rng.normal(size=(2, 3)),),
               lambda x: x / 10.0)],                                      # norm below ε
}
