"""Every registered op: its output equals NumPy's on random inputs, and its hand-written
backward equals a numerical gradient in float64 (broadcast operands included). The cases
live in ``tests/op_cases/<family>.py``; an op without a case fails ``test_every_op_has_a_case``."""
import importlib
import pkgutil

import numpy as np
import pytest

import op_cases
from nnkit.ops import OPS

CASES = {}
for _module in pkgutil.iter_modules(op_cases.__path__):
    if _module.name != "case":
        CASES.update(importlib.import_module(f"op_cases.{_module.name}").CASES)
ALL = [(name, index, case) for name, cases in sorted(CASES.items())
       for index, case in enumerate(cases)]


def test_every_op_has_a_case():
    assert set(OPS.names()) <= set(CASES), sorted(set(OPS.names()) - set(CASES))


@pytest.mark.parametrize("name, index, case", ALL, ids=[f"{n}-{i}" for n, i, _ in ALL])
def test_op_output_equals_numpy(name, index, case):
    inputs = case.inputs(np.random.default_rng(index))
    out = case.op()(*inputs)
    np.testing.assert_allclose(out, case.reference(*inputs), rtol=1e-12, atol=1e-12)


def _grad_positions(case, inputs):
    if case.grad_inputs is not None:
        return case.grad_inputs
    return tuple(i for i, x in enumerate(inputs) if np.asarray(x).dtype.kind == "f")


@pytest.mark.parametrize("name, index, case", ALL, ids=[f"{n}-{i}" for n, i, _ in ALL])
def test_op_backward_equals_a_numerical_gradient(name, index, case):
    rng = np.random.default_rng(100 + index)
    inputs = [np.asarray(x) for x in case.inputs(rng)]
    op = case.op()
    positions = _grad_positions(case, inputs)
    if not op.differentiable or not positions:
        return
    out, cache = op.forward(np, *inputs)
    weights = rng.normal(size=np.shape(out))
    grads = op.backward(np, cache, weights.copy())
    eps = 1e-6
    for position in positions:
        assert grads[position] is not None and grads[position].shape == inputs[position].shape
        numeric = np.zeros(inputs[position].shape)
        for flat in range(inputs[position].size):
            changed = [x.copy() for x in inputs]
            changed[position].reshape(-1)[flat] += eps
            plus = (op.forward(np, *changed)[0] * weights).sum()
            changed[position].reshape(-1)[flat] -= 2 * eps
            minus = (op.forward(np, *changed)[0] * weights).sum()
            numeric.reshape(-1)[flat] = (plus - minus) / (2 * eps)
        np.testing.assert_allclose(grads[position], numeric, rtol=1e-5, atol=1e-7,
                                   err_msg=f"{name}: input {position}")
