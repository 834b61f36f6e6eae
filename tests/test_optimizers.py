"""Every optimizer's update equals its documented rule, computed by hand in NumPy.

A fixed sequence of gradients is fed to ``apply_gradients`` and the parameters
are compared, step by step, with the rule written out below.
"""
import math

import numpy as np
import pytest

import nnkit
from nnkit import optimizers

STEPS = 4


@pytest.fixture(autouse=True)
def _float64(float64):
    """float64 so the comparison with the hand computation is tight."""


def _gradient_sequence(shape=(3, 2), steps=STEPS, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=shape) for _ in range(steps)]


def _run(optimizer, grads, start):
    """Parameter values after each step of ``optimizer`` fed ``grads``."""
    param = start.copy()
    trace = []
    for g in grads:
        optimizer.apply_gradients({"p": param}, {"p": g.copy()})
        trace.append(param.copy())
    return trace


def _reference_sgd(grads, start, lr, momentum=0.0, nesterov=False):
    theta, v, trace = start.copy(), np.zeros_like(start), []
    for g in grads:
        if momentum == 0.0:
            theta = theta - lr * g
        else:
            v = momentum * v - lr * g
            theta = theta + (momentum * v - lr * g if nesterov else v)
        trace.append(theta)
    return trace


def _reference_adagrad(grads, start, lr, initial=0.1, eps=1e-7):
    theta, a, trace = start.copy(), np.full_like(start, initial), []
    for g in grads:
        a = a + g ** 2
        theta = theta - lr * g / (np.sqrt(a) + eps)
        trace.append(theta)
    return trace


def _reference_adadelta(grads, start, lr, rho=0.95, eps=1e-6):
    """Zeiler (2012), Algorithm 1, with the step scaled by lr (1.0 = Zeiler exactly)."""
    theta, eg2, edx2, trace = start.copy(), np.zeros_like(start), np.zeros_like(start), []
    for g in grads:
        eg2 = rho * eg2 + (1 - rho) * g ** 2
        dx = -np.sqrt(edx2 + eps) / np.sqrt(eg2 + eps) * g
        edx2 = rho * edx2 + (1 - rho) * dx ** 2
        theta = theta + lr * dx
        trace.append(theta)
    return trace


def _reference_rmsprop(grads, start, lr, rho=0.9, eps=1e-7):
    theta, s, trace = start.copy(), np.zeros_like(start), []
    for g in grads:
        s = rho * s + (1 - rho) * g ** 2
        theta = theta - lr * g / (np.sqrt(s) + eps)
        trace.append(theta)
    return trace


def _reference_adam(grads, start, lr, b1=0.9, b2=0.999, eps=1e-7):
    theta, m, v, trace = start.copy(), np.zeros_like(start), np.zeros_like(start), []
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g ** 2
        theta = theta - lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t) * m / (np.sqrt(v) + eps)
        trace.append(theta)
    return trace


CASES = {
    "sgd": (lambda: optimizers.SGD(0.1), lambda g, s: _reference_sgd(g, s, 0.1)),
    "sgd_momentum": (lambda: optimizers.SGD(0.1, momentum=0.9),
                     lambda g, s: _reference_sgd(g, s, 0.1, 0.9)),
    "sgd_nesterov": (lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True),
                     lambda g, s: _reference_sgd(g, s, 0.1, 0.9, nesterov=True)),
    "adagrad": (lambda: optimizers.Adagrad(0.05), lambda g, s: _reference_adagrad(g, s, 0.05)),
    "adagrad_initial": (lambda: optimizers.Adagrad(0.05, initial_accumulator_value=1.0),
                        lambda g, s: _reference_adagrad(g, s, 0.05, initial=1.0)),
    "adadelta": (lambda: optimizers.Adadelta(1.0, epsilon=1e-6),
                 lambda g, s: _reference_adadelta(g, s, 1.0)),
    "adadelta_lr": (lambda: optimizers.Adadelta(0.5, rho=0.9, epsilon=1e-4),
                    lambda g, s: _reference_adadelta(g, s, 0.5, rho=0.9, eps=1e-4)),
    "rmsprop": (lambda: optimizers.RMSprop(0.01), lambda g, s: _reference_rmsprop(g, s, 0.01)),
    "adam": (lambda: optimizers.Adam(0.01), lambda g, s: _reference_adam(g, s, 0.01)),
    "adam_betas": (lambda: optimizers.Adam(0.02, beta_1=0.5, beta_2=0.9, epsilon=1e-3),
                   lambda g, s: _reference_adam(g, s, 0.02, 0.5, 0.9, 1e-3)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_update_rule_matches_hand_computation(case):
    make, reference = CASES[case]
    grads = _gradient_sequence()
    start = np.random.default_rng(1).normal(size=grads[0].shape)
    optimizer = make()
    got = _run(optimizer, grads, start)
    expected = reference(grads, start)
    for step, (a, b) in enumerate(zip(got, expected), start=1):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14, err_msg=f"{case}, step {step}")
    assert optimizer.iterations == STEPS
    assert not np.allclose(got[-1], start)            # the parameters moved


def test_sgd_momentum_differs_from_plain_and_from_nesterov():
    """The three SGD variants are different rules (guards against a flag being ignored)."""
    grads = _gradient_sequence()
    start = np.zeros(grads[0].shape)
    plain = _run(optimizers.SGD(0.1), grads, start)[-1]
    momentum = _run(optimizers.SGD(0.1, momentum=0.9), grads, start)[-1]
    nesterov = _run(optimizers.SGD(0.1, momentum=0.9, nesterov=True), grads, start)[-1]
    assert not np.allclose(plain, momentum)
    assert not np.allclose(momentum, nesterov)


def test_update_is_in_place():
    param = np.ones((2, 2))
    alias = param
    optimizers.Adam(0.1).apply_gradients({"p": param}, {"p": np.ones((2, 2))})
    assert alias is param and not np.allclose(param, 1.0)


def test_each_parameter_has_its_own_state():
    a, b = np.zeros(3), np.zeros(3)
    opt = optimizers.Adam(0.1)
    ga, gb = np.array([1.0, 2.0, 3.0]), np.array([-1.0, 0.5, 0.0])
    opt.apply_gradients({"a": a, "b": b}, {"a": ga.copy(), "b": gb.copy()})
    np.testing.assert_allclose(opt.slots["a"]["m"], 0.1 * ga)
    np.testing.assert_allclose(opt.slots["b"]["m"], 0.1 * gb)


# ---- clipping ----------------------------------------------------------------
def _clipped(grads, **clip):
    """The gradients SGD(lr=1) actually applied: start - param."""
    params = {name: np.zeros_like(g) for name, g in grads.items()}
    optimizers.SGD(1.0, **clip).apply_gradients(params, {k: g.copy() for k, g in grads.items()})
    return {name: -value for name, value in params.items()}


GRADS = {"a": np.array([3.0, -4.0, 0.5]), "b": np.array([[0.1, -0.2], [2.0, 0.0]])}


def test_clipvalue():
    got = _clipped(GRADS, clipvalue=1.0)
    for name, g in GRADS.items():
        np.testing.assert_allclose(got[name], np.clip(g, -1.0, 1.0))
    assert got["a"][0] == 1.0 and got["a"][1] == -1.0 and got["a"][2] == 0.5


def test_clipnorm_rescales_each_tensor_over_the_limit():
    got = _clipped(GRADS, clipnorm=2.0)
    norm_a = np.linalg.norm(GRADS["a"])               # ≈ 5.02 > 2: rescaled to norm 2
    np.testing.assert_allclose(got["a"], GRADS["a"] * 2.0 / norm_a)
    np.testing.assert_allclose(np.linalg.norm(got["a"]), 2.0)
    norm_b = np.linalg.norm(GRADS["b"])
    np.testing.assert_allclose(got["b"], GRADS["b"] * min(1.0, 2.0 / norm_b))


def test_clipnorm_leaves_small_tensors_alone():
    got = _clipped(GRADS, clipnorm=10.0)
    for name, g in GRADS.items():
        np.testing.assert_allclose(got[name], g)


def test_global_clipnorm_rescales_all_tensors_together():
    total = math.sqrt(sum((g ** 2).sum() for g in GRADS.values()))
    got = _clipped(GRADS, global_clipnorm=1.5)
    for name, g in GRADS.items():
        np.testing.assert_allclose(got[name], g * 1.5 / total)
    joint = math.sqrt(sum((v ** 2).sum() for v in got.values()))
    np.testing.assert_allclose(joint, 1.5)
    # per-tensor clipnorm at the same limit gives a different result: the rule is global
    assert not np.allclose(_clipped(GRADS, clipnorm=1.5)["b"], got["b"])


def test_clipping_then_adam_uses_the_clipped_gradient():
    grads = [np.array([10.0, -0.1])] * 3
    clipped = [np.clip(g, -0.5, 0.5) for g in grads]
    start = np.zeros(2)
    got = _run(optimizers.Adam(0.01, clipvalue=0.5), grads, start)
    np.testing.assert_allclose(got[-1], _reference_adam(clipped, start, 0.01)[-1], rtol=1e-12)


# ---- learning rate, config, names ---------------------------------------------
def test_learning_rate_change_mid_training_takes_effect():
    grads = _gradient_sequence(steps=4)
    start = np.zeros(grads[0].shape)
    param = start.copy()
    optimizer = optimizers.SGD(0.1, momentum=0.5)
    for step, g in enumerate(grads):
        if step == 2:
            optimizer.learning_rate = 0.01
        optimizer.apply_gradients({"p": param}, {"p": g.copy()})
    theta, v = start.copy(), np.zeros_like(start)
    for step, g in enumerate(grads):
        lr = 0.1 if step < 2 else 0.01
        v = 0.5 * v - lr * g
        theta = theta + v
    np.testing.assert_allclose(param, theta, rtol=1e-12)


def test_learning_rate_change_affects_adam():
    grads = _gradient_sequence(steps=3)
    start = np.zeros(grads[0].shape)
    a = _run(optimizers.Adam(0.01), grads, start)[-1]
    optimizer = optimizers.Adam(0.01)
    param = start.copy()
    for step, g in enumerate(grads):
        optimizer.learning_rate = 0.01 if step < 2 else 0.0001
        optimizer.apply_gradients({"p": param}, {"p": g.copy()})
    assert not np.allclose(a, param)


ALL = [optimizers.SGD(0.3, momentum=0.8, nesterov=True, clipnorm=2.0),
       optimizers.Adagrad(0.02, initial_accumulator_value=0.5, epsilon=1e-6, clipvalue=1.0),
       optimizers.Adadelta(0.9, rho=0.8, epsilon=1e-5, global_clipnorm=3.0),
       optimizers.RMSprop(0.002, rho=0.8, epsilon=1e-6),
       optimizers.Adam(0.003, beta_1=0.8, beta_2=0.99, epsilon=1e-6, clipnorm=1.0,
                       clipvalue=0.5, global_clipnorm=4.0)]


@pytest.mark.parametrize("optimizer", ALL, ids=lambda o: type(o).__name__)
def test_config_round_trip_gives_the_same_updates(optimizer):
    config = optimizer.get_config()
    clone = type(optimizer).from_config(config)
    assert clone.get_config() == config
    clone2 = optimizers.OPTIMIZERS.get(type(optimizer).__name__).from_config(dict(config))
    grads = _gradient_sequence(steps=3)
    start = np.ones(grads[0].shape)
    np.testing.assert_array_equal(_run(clone, grads, start), _run(clone2, grads, start))


@pytest.mark.parametrize("name, cls", [("sgd", optimizers.SGD), ("adagrad", optimizers.Adagrad),
                                       ("adadelta", optimizers.Adadelta),
                                       ("rmsprop", optimizers.RMSprop),
                                       ("adam", optimizers.Adam), ("Adam", optimizers.Adam)])
def test_names_resolve(name, cls):
    optimizer = optimizers.get(name)
    assert type(optimizer) is cls
    model = nnkit.Sequential([nnkit.Dense(2, input_shape=(3,))])
    model.compile(name, "mse")
    assert type(model.optimizer) is cls


def test_instance_passes_through():
    optimizer = optimizers.SGD(0.5)
    assert optimizers.get(optimizer) is optimizer


@pytest.mark.parametrize("kwargs, argument", [({"learning_rate": -1}, "learning_rate"),
                                              ({"learning_rate": 0.1, "clipnorm": 0},
                                               "clipnorm"),
                                              ({"learning_rate": 0.1, "clipvalue": "x"},
                                               "clipvalue")])
def test_bad_arguments(kwargs, argument):
    with pytest.raises(nnkit.InvalidArgumentError, match=argument):
        optimizers.SGD(**kwargs)


def test_state_round_trip_continues_identically():
    grads = _gradient_sequence(steps=6)
    start = np.random.default_rng(3).normal(size=grads[0].shape)
    full = _run(optimizers.Adam(0.01), grads, start)[-1]
    first = optimizers.Adam(0.01)
    param = start.copy()
    for g in grads[:3]:
        first.apply_gradients({"p": param}, {"p": g.copy()})
    second = optimizers.Adam.from_config(first.get_config())
    second.set_state(first.get_state(), {"p": param})
    for g in grads[3:]:
        second.apply_gradients({"p": param}, {"p": g.copy()})
    np.testing.assert_array_equal(param, full)


def test_numpy_scalars_are_accepted_and_stored_as_json_numbers():
    import json
    optimizer = optimizers.SGD(np.float32(0.25), clipnorm=np.float64(2.0), clipvalue=np.int64(3))
    config = json.loads(json.dumps(optimizer.get_config()))
    assert config["learning_rate"] == 0.25 and config["clipnorm"] == 2.0
    assert config["clipvalue"] == 3.0
    with pytest.raises(nnkit.InvalidArgumentError, match="learning_rate"):
        optimizers.SGD(True)
    with pytest.raises(nnkit.InvalidArgumentError, match="clipnorm"):
        optimizers.Adam(clipnorm=float("nan"))
