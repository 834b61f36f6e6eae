"""The compiled bias + activation epilogue gives NumPy's bits, and Dense and attention's
projections give the same outputs and gradients with it as without it."""
import numpy as np
import pytest

import nnkit
from nnkit.backend import get_backend
from nnkit.backend.kernels import selected_path
from nnkit.backend.numpy_backend import LOOP_PATHS
from tests.test_compiled_kernels import without_kernels

pytestmark = pytest.mark.skipif(selected_path() not in LOOP_PATHS,
                                reason="the compiled epilogue runs on AVX-512 and AVX2 builds")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(1, 1), (5, 3), (300, 129), (4, 50, 64)])
@pytest.mark.parametrize("activation", ["linear", "relu"])
@pytest.mark.parametrize("with_bias", [True, False])
def test_the_epilogue_has_numpys_bits(dtype, shape, activation, with_bias):
    rng = np.random.default_rng(sum(shape))
    z = rng.normal(size=shape).astype(dtype)
    z.flat[::7] = 0.0
    z.flat[3::11] = np.nan
    bias = rng.normal(size=shape[-1]).astype(dtype) if with_bias else None
    expected = z + bias if with_bias else z.copy()
    if activation == "relu":
        expected = np.maximum(expected, 0)
    assert get_backend().run_kernel("bias_activation", z, bias, activation) is z
    np.testing.assert_array_equal(z, expected)


def test_operands_the_kernel_does_not_take_are_left_to_numpy():
    backend = get_backend()
    z = np.ones((4, 6), np.float32)
    before = z.copy()
    assert backend.run_kernel("bias_activation", z, None, "tanh") is None
    assert backend.run_kernel("bias_activation", z[:, ::2], None, "relu") is None
    assert backend.run_kernel("bias_activation", z, np.ones(6), "relu") is None      # float64
    assert backend.run_kernel("bias_activation", z, np.ones(5, np.float32), "relu") is None
    assert backend.run_kernel("bias_activation", z.astype(np.int32), None, "relu") is None
    np.testing.assert_array_equal(z, before)


def run_dense(activation, x, dy):
    nnkit.set_seed(3)
    layer = nnkit.Dense(7, activation=activation, bias_initializer="random_normal")
    y = layer(x, training=True)
    dx = layer.backward(dy)
    return [y, dx, layer.grads["kernel"], layer.grads["bias"]]


@pytest.mark.parametrize("activation", ["relu", "linear", "sigmoid"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dense_is_the_same_with_and_without_the_kernel(activation, dtype):
    nnkit.set_floatx(dtype)
    rng = np.random.default_rng(0)
    x, dy = rng.normal(size=(6, 9, 5)).astype(dtype), rng.normal(size=(6, 9, 7)).astype(dtype)
    compiled = run_dense(activation, x, dy)
    with without_kernels("bias_activation"):
        plain = run_dense(activation, x, dy)
    for one, other in zip(compiled, plain):
        np.testing.assert_array_equal(one, other)
