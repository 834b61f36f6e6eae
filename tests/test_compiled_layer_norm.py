"""The compiled layer normalisation equals the formulas, and LayerNormalization gives the same
outputs and gradients with it as without it (its NumPy path)."""
import os
import subprocess
import sys

import numpy as np
import pytest

import nnkit
from nnkit.backend import get_backend
from nnkit.backend.kernels import selected_path
from nnkit.backend.numpy_backend import LOOP_PATHS
from nnkit.testing import check_gradients
from tests.test_compiled_kernels import without_kernels

pytestmark = pytest.mark.skipif(selected_path() not in LOOP_PATHS,
                                reason="the compiled layer norm runs on AVX-512 and AVX2 builds")


def plain_layer_norm(x, gamma, beta, epsilon, dy):
    """``(y, dx)`` in float64 from the formulas, row by row."""
    x, dy = x.astype(np.float64), dy.astype(np.float64)
    y, dx = np.empty_like(x), np.empty_like(x)
    width = x.shape[-1]
    for index in np.ndindex(x.shape[:-1]):
        row = x[index]
        mean = row.sum() / width
        inv = 1 / np.sqrt(((row - mean) ** 2).sum() / width + epsilon)
        x_hat = (row - mean) * inv
        y[index] = gamma * x_hat + beta
        g = gamma * dy[index]
        dx[index] = inv * (g - (g.sum() + x_hat * (g * x_hat).sum()) / width)
    return y, dx


@pytest.mark.parametrize("dtype, tolerance", [("float64", 1e-12), ("float32", 2e-6)])
@pytest.mark.parametrize("shape", [(1, 1), (3, 7), (4, 5, 64), (2, 300, 33), (2, 3, 4, 129)])
@pytest.mark.parametrize("affine", [True, False])
def test_kernels_equal_the_formulas(dtype, tolerance, shape, affine):
    rng = np.random.default_rng(sum(shape))
    x = rng.normal(loc=3.0, scale=2.0, size=shape).astype(dtype)
    dy = rng.normal(size=shape).astype(dtype)
    width = shape[-1]
    gamma = rng.normal(size=width).astype(dtype) if affine else None
    beta = rng.normal(size=width).astype(dtype) if affine else None
    backend = get_backend()
    y, x_hat, inv = backend.run_kernel("layer_norm", x, gamma, beta, 1e-3, True)
    dx = backend.run_kernel("layer_norm_backward", dy, gamma, x_hat, inv)
    expected_y, expected_dx = plain_layer_norm(x, 1.0 if gamma is None else gamma,
                                               0.0 if beta is None else beta, 1e-3, dy)
    np.testing.assert_allclose(y, expected_y, rtol=0, atol=tolerance * 10)
    np.testing.assert_allclose(dx, expected_dx, rtol=0,
                               atol=tolerance * 10 * np.abs(expected_dx).max())
    assert inv.shape == shape[:-1] + (1,)
    y_only, no_x_hat, no_inv = backend.run_kernel("layer_norm", x, gamma, beta, 1e-3, False)
    assert no_x_hat is None and no_inv is None
    np.testing.assert_array_equal(y_only, y)


def test_operands_the_kernels_do_not_take_are_left_to_numpy():
    backend = get_backend()
    x = np.ones((4, 6), np.float32)
    assert backend.run_kernel("layer_norm", x[:, ::2], None, None, 1e-3, False) is None
    assert backend.run_kernel("layer_norm", x.astype(np.float16), None, None, 1e-3, False) is None
    assert backend.run_kernel("layer_norm", x, np.ones(5, np.float32), None, 1e-3, False) is None
    assert backend.run_kernel("layer_norm", x, np.ones(6), None, 1e-3, False) is None  # float64 γ
    _, x_hat, inv = backend.run_kernel("layer_norm", x, None, None, 1e-3, True)
    assert backend.run_kernel("layer_norm_backward", x.T.copy(), None, x_hat, inv) is None


def run_layer(layer_kwargs, x, dy):
    layer = nnkit.LayerNormalization(**layer_kwargs)
    layer.build(x.shape[1:])
    rng = np.random.default_rng(7)
    layer.set_weights([rng.normal(size=w.shape) for w in layer.get_weights()])
    y = layer(x, training=True)
    dx = layer.backward(dy)
    return [y, dx] + [layer.grads[key] for key in sorted(layer.grads)]


@pytest.mark.parametrize("dtype, tolerance", [("float64", 1e-12), ("float32", 3e-6)])
@pytest.mark.parametrize("layer_kwargs", [{}, {"epsilon": 1e-6, "center": False},
                                          {"scale": False}, {"axis": [1, 2]}],
                         ids=["default", "no-beta", "no-gamma", "two-axes"])
def test_the_layer_is_the_same_with_and_without_the_kernels(dtype, tolerance, layer_kwargs):
    nnkit.set_floatx(dtype)
    rng = np.random.default_rng(1)
    x = rng.normal(loc=-2.0, size=(3, 9, 40)).astype(dtype)
    dy = rng.normal(size=(3, 9, 40)).astype(dtype)
    compiled = run_layer(layer_kwargs, x, dy)
    with without_kernels("layer_norm", "layer_norm_backward"):
        plain = run_layer(layer_kwargs, x, dy)
    for one, other in zip(compiled, plain):
        np.testing.assert_allclose(one, other, rtol=0,
                                   atol=tolerance * max(1.0, np.abs(other).max()))


def test_layer_gradients_through_the_kernel(float64):
    x = np.random.default_rng(2).normal(size=(4, 6, 70))
    errors = check_gradients(nnkit.LayerNormalization(), x)
    assert {"x", "gamma", "beta"} <= set(errors)


def test_the_same_bits_on_one_or_two_threads():
    code = """
import json, numpy as np, nnkit
rng = np.random.default_rng(0)
x = rng.normal(size=(2, 2000, 48)).astype("float32")
dy = rng.normal(size=(2, 2000, 48)).astype("float32")
backend = nnkit.backend.get_backend()
y, x_hat, inv = backend.run_kernel("layer_norm", x, np.full(48, 1.5, "float32"), None, 1e-3, True)
dx = backend.run_kernel("layer_norm_backward", dy, np.full(48, 1.5, "float32"), x_hat, inv)
print(json.dumps([y.tolist(), dx.tolist()]))
"""
    outputs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True, env={**os.environ, "OMP_NUM_THREADS": threads}).stdout
               for threads in ("1", "2")]
    assert outputs[0] == outputs[1]
