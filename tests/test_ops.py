"""Every registered op: its output equals NumPy's on random inputs, and its hand-written
backward equals a numerical gradient in float64 (broadcast operands included).

An op with several outputs (``op.multiple_outputs``, e.g. ``split``) is compared output by
output with the items of its reference; its backward is checked with one random weight
array per output (loss = Σ over outputs of ``(output · weight).sum()``), then again with one
weight None, which the op must read as zeros (an output that took no gradient).

The cases live in ``tests/op_cases/<family>.py``, one file per family file of ``nnkit/ops``;
an op without a case fails ``test_every_op_has_a_case``."""
import importlib
import pkgutil

import numpy as np
import pytest

import op_cases
from nnkit.ops import OPS

HELPERS = {"case", "common"}   # the modules of tests/op_cases that hold no cases

CASES = {}
for _module in pkgutil.iter_modules(op_cases.__path__):
    if _module.name not in HELPERS:
        _cases = importlib.import_module(f"op_cases.{_module.name}").CASES
        assert not set(_cases) & set(CASES), f"{_module.name}: {set(_cases) & set(CASES)} twice"
        CASES.update(_cases)
ALL = [(name, index, case) for name, cases in sorted(CASES.items())
       for index, case in enumerate(cases)]


def test_every_op_has_a_case():
    assert set(OPS.names()) <= set(CASES), sorted(set(OPS.names()) - set(CASES))


def _as_list(op, out):
    """An op's output as a list of arrays (one entry unless ``op.multiple_outputs``)."""
    return list(out) if op.multiple_outputs else [out]


@pytest.mark.parametrize("name, index, case", ALL, ids=[f"{n}-{i}" for n, i, _ in ALL])
def test_op_output_equals_numpy(name, index, case):
    inputs = case.inputs(np.random.default_rng(index))
    op = case.op()
    outputs, expected = _as_list(op, op(*inputs)), _as_list(op, case.reference(*inputs))
    assert len(outputs) == len(expected), f"{name}: {len(outputs)} outputs, {len(expected)} wanted"
    for position, (got, want) in enumerate(zip(outputs, expected)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12,
                                   err_msg=f"{name}: output {position}")


def _grad_positions(case, inputs):
    if case.grad_inputs is not None:
        return case.grad_inputs
    return tuple(i for i, x in enumerate(inputs) if np.asarray(x).dtype.kind == "f")


def _loss(op, inputs, weights):
    """Σ over outputs of ``(output · weight).sum()``; a None weight adds nothing."""
    outputs = _as_list(op, op.forward(np, *inputs)[0])
    return sum((out * weight).sum() for out, weight in zip(outputs, weights)
               if weight is not None)


def _check_backward(name, op, inputs, positions, weights):
    """``op.backward`` given ``weights`` (the loss's gradient per output) against central
    differences of ``_loss`` for each input in ``positions``."""
    _, cache = op.forward(np, *inputs)
    dys = [None if weight is None else weight.copy() for weight in weights]
    grads = op.backward(np, cache, dys if op.multiple_outputs else dys[0])
    eps, given = 1e-6, ["None" if weight is None else "random" for weight in weights]
    for position in positions:
        assert grads[position] is not None and grads[position].shape == inputs[position].shape
        numeric = np.zeros(inputs[position].shape)
        for flat in range(inputs[position].size):
            changed = [x.copy() for x in inputs]
            changed[position].reshape(-1)[flat] += eps
            plus = _loss(op, changed, weights)
            changed[position].reshape(-1)[flat] -= 2 * eps
            minus = _loss(op, changed, weights)
            numeric.reshape(-1)[flat] = (plus - minus) / (2 * eps)
        np.testing.assert_allclose(grads[position], numeric, rtol=1e-5, atol=1e-7,
                                   err_msg=f"{name}: input {position}, weights {given}")


@pytest.mark.parametrize("name, index, case", ALL, ids=[f"{n}-{i}" for n, i, _ in ALL])
def test_op_backward_equals_a_numerical_gradient(name, index, case):
    rng = np.random.default_rng(100 + index)
    inputs = [np.asarray(x) for x in case.inputs(rng)]
    op = case.op()
    positions = _grad_positions(case, inputs)
    if not op.differentiable or not positions:
        return
    weights = [rng.normal(size=np.shape(out))
               for out in _as_list(op, op.forward(np, *inputs)[0])]
    _check_backward(name, op, inputs, positions, weights)
    if op.multiple_outputs:
        weights[len(weights) // 2] = None
        _check_backward(name, op, inputs, positions, weights)
