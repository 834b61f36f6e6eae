"""Cases for ``nnkit/ops/nn_losses.py``: references are the textbook cross-entropies in NumPy;
inputs keep away from the clip bounds, except one case that checks the clipping."""
import numpy as np

from nnkit.ops import nn_losses as loss
from op_cases.case import OpCase
from op_cases.common import plain_softmax, sigmoid


CASES = {
    "BinaryCrossentropy": [
        OpCase(loss.BinaryCrossentropy, lambda rng: (rng.uniform(size=(3, 4)),
                                                   rng.uniform(0.05, 0.95, size=(3, 4))),
               lambda t, p: -(t * np.log(p) + (1 - t) * np.log(1 - p))),
        OpCase(loss.BinaryCrossentropy, lambda rng: (rng.uniform(size=4),      # clipped to ε
                                                   np.array([0.0, 1.0, 0.5, 0.25])),
               lambda t, p: -(t * np.log(np.clip(p, 1e-7, 1 - 1e-7))
                              + (1 - t) * np.log(1 - np.clip(p, 1e-7, 1 - 1e-7))),
               grad_inputs=(0,)),
        OpCase(lambda: loss.BinaryCrossentropy(from_logits=True),
               lambda rng: (rng.uniform(size=(3, 4)), rng.normal(size=(3, 4)) * 3),
               lambda t, z: -(t * np.log(sigmoid(z)) + (1 - t) * np.log(1 - sigmoid(z))))],
    "CategoricalCrossentropy": [
        OpCase(loss.CategoricalCrossentropy,
               lambda rng: (rng.dirichlet(np.ones(4), size=3), 2 * rng.dirichlet(np.ones(4), 3)),
               lambda t, p: -np.sum(t * np.log(p / p.sum(axis=-1, keepdims=True)), axis=-1)),
        OpCase(lambda: loss.CategoricalCrossentropy(from_logits=True, axis=0),
               lambda rng: (rng.dirichlet(np.ones(4), size=3).T.copy(), rng.normal(size=(4, 3))),
               lambda t, z: -np.sum(t * np.log(plain_softmax(z, 0)), axis=0))],
    "SparseCategoricalCrossentropy": [
        OpCase(loss.SparseCategoricalCrossentropy,
               lambda rng: (np.array([0, 3, 1]), rng.uniform(0.1, 1, size=(3, 4))),
               lambda t, p: -np.log((p / p.sum(axis=-1, keepdims=True))[np.arange(3), t])),
        OpCase(lambda: loss.SparseCategoricalCrossentropy(from_logits=True),
               lambda rng: (np.array([[2], [-1]]), rng.normal(size=(2, 3))),  # -1: no class
               lambda t, z: np.array([-np.log(plain_softmax(z)[0, 2]), 0.0]))],
}
