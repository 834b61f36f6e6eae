"""Cases for ``nnkit/ops/nn_activations.py``. References are the textbook formulas in NumPy (and
``math.erf`` for the exact GELU); inputs keep away from kinks (0 for relu, ±3 for
hard_sigmoid)."""
import math

import numpy as np

from nnkit.ops import nn_activations as act
from op_cases.case import OpCase
from op_cases.common import away_from, sigmoid

SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def erf(x):
    return np.vectorize(math.erf)(x)


def activation_case(op, reference, inputs=away_from(0.0)):
    return [OpCase(op, inputs, reference)]


CASES = {
    "Relu": activation_case(act.Relu, lambda x: np.where(x > 0, x, 0)),
    "Relu6": activation_case(act.Relu6, lambda x: np.where(x < 0, 0, np.where(x > 6, 6, x)),
                             away_from(0.0, 6.0)),
    "LeakyRelu": activation_case(act.LeakyRelu, lambda x: np.where(x > 0, x, 0.2 * x))
    + activation_case(lambda: act.LeakyRelu(0.01), lambda x: np.where(x > 0, x, 0.01 * x)),
    "Elu": activation_case(act.Elu, lambda x: np.where(x > 0, x, np.exp(x) - 1))
    + activation_case(lambda: act.Elu(0.5), lambda x: np.where(x > 0, x, 0.5 * (np.exp(x) - 1))),
    "Selu": activation_case(act.Selu, lambda x: SELU_SCALE * np.where(
        x > 0, x, SELU_ALPHA * (np.exp(x) - 1))),
    "Gelu": activation_case(act.Gelu, lambda x: 0.5 * x * (1 + np.tanh(
        np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3))))
    + activation_case(lambda: act.Gelu(approximate=False),
                      lambda x: 0.5 * x * (1 + erf(x / np.sqrt(2))))
    + activation_case(lambda: act.Gelu(approximate=False),            # every range of erfc
                      lambda x: 0.5 * x * (1 + erf(x / np.sqrt(2))),
                      lambda rng: (np.array([-12.0, -6.0, -1.0, -0.3, 0.2, 0.6, 2.0, 5.9, 9.0]),)),
    "Silu": activation_case(act.Silu, lambda x: x * sigmoid(x)),
    "Softplus": activation_case(act.Softplus, lambda x: np.log1p(np.exp(x)))
    + activation_case(act.Softplus, lambda x: np.array([0.0, 800.0]),    # no overflow
                      lambda rng: (np.array([-800.0, 800.0]),)),
    "LogSigmoid": activation_case(act.LogSigmoid, lambda x: np.log(sigmoid(x))),
    "Softsign": activation_case(act.Softsign, lambda x: x / (1 + np.abs(x))),
    "HardSigmoid": activation_case(act.HardSigmoid, lambda x: np.where(
        x < -3, 0, np.where(x > 3, 1, x / 6 + 0.5)), away_from(-3.0, 3.0)),
    "HardSilu": activation_case(act.HardSilu, lambda x: x * np.where(
        x < -3, 0, np.where(x > 3, 1, x / 6 + 0.5)), away_from(-3.0, 3.0)),
}
