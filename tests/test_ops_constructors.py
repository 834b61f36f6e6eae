"""Keras's dtype rules and errors of the plain constructors and conversions of
``nnkit.ops`` (numbers from Keras 3.15's docstrings and its NumPy backend)."""
import numpy as np
import pytest

from nnkit import config, ops
from nnkit.errors import DTypeError, InvalidArgumentError, ShapeError


@pytest.fixture
def float64_floatx():
    config.set_floatx("float64")
    yield
    config.set_floatx("float32")


def test_arange_infers_keras_dtypes():
    assert ops.arange(3).dtype == np.int32 and list(ops.arange(3)) == [0, 1, 2]
    assert ops.arange(3.0).dtype == np.float32
    assert list(ops.arange(3, 7, 2)) == [3, 5]
    assert ops.arange(np.int64(4)).dtype == np.int32
    assert ops.arange(0, 1, 0.25, dtype="float64").tolist() == [0.0, 0.25, 0.5, 0.75]


def test_constructors_default_to_floatx(float64_floatx):
    for made in (ops.zeros((2, 3)), ops.ones(2), ops.full((2,), 7), ops.eye(2),
                 ops.arange(2.0), ops.convert_to_tensor([1.5])):
        assert made.dtype == np.float64
    assert ops.zeros(2, dtype="int32").dtype == np.int32
    assert ops.eye(2, 3, k=1).tolist() == [[0, 1, 0], [0, 0, 1]]


def test_like_ops_keep_the_dtype_of_x():
    x = np.arange(3)
    assert ops.zeros_like(x).dtype == x.dtype and ops.ones_like(x, "float32").dtype == np.float32
    assert ops.full_like(x, 2.5).tolist() == [2, 2, 2]


def test_convert_to_tensor_narrows_64_bit_data_as_keras():
    assert ops.convert_to_tensor([1, 2]).dtype == np.int32
    assert ops.convert_to_tensor([1.0, 2]).dtype == np.float32
    assert ops.convert_to_tensor(np.zeros(2)).dtype == np.float32
    assert ops.convert_to_tensor(np.zeros(2, np.int8)).dtype == np.int8
    assert ops.convert_to_tensor(True).dtype == np.bool_
    assert ops.convert_to_tensor([1, 2], dtype="float64").dtype == np.float64


def test_shape_dtype_and_numpy():
    x = np.zeros((8, 12), np.float32)
    assert ops.shape(x) == (8, 12) and ops.dtype(x) == "float32"
    assert ops.is_tensor(x) and not ops.is_tensor([1.0])
    assert isinstance(ops.convert_to_numpy([1.0]), np.ndarray)


def test_cast_gradient_flows_only_between_floats():
    from nnkit.ops.constructors import Cast
    dy = np.ones(3)
    assert Cast("float32").backward(np, np.dtype("float64"), dy)[0].dtype == np.float64
    assert Cast("int32").backward(np, np.dtype("float64"), dy) == (None,)
    assert Cast("float32").backward(np, np.dtype("int64"), dy) == (None,)


@pytest.mark.parametrize("call, error", [
    (lambda: ops.eye(3.0), DTypeError),
    (lambda: ops.zeros((None, 3)), InvalidArgumentError),
    (lambda: ops.convert_to_tensor([1], sparse=True), InvalidArgumentError),
    (lambda: ops.nn.normalize(np.ones(3), order=0), InvalidArgumentError),
    (lambda: ops.nn.one_hot([1], 2, sparse=True), InvalidArgumentError),
    (lambda: ops.nn.dot_product_attention(np.ones((2, 3, 4)), np.ones((2, 3, 4)),
                                          np.ones((2, 3, 4))), ShapeError),
    (lambda: ops.nn.binary_crossentropy(np.zeros(2), np.zeros(3)), ShapeError),
])
def test_bad_arguments_raise_nnkit_errors_naming_the_op(call, error):
    with pytest.raises(error, match="ops\\."):
        call()


def test_keras_docstring_numbers():
    np.testing.assert_allclose(ops.nn.softmax(np.array([-1., 0., 1.])),
                               [0.09003057, 0.24472847, 0.66524096], rtol=1e-6)
    np.testing.assert_allclose(ops.nn.log_softmax(np.array([-1., 0., 1.])),
                               [-2.40760596, -1.40760596, -0.40760596], rtol=1e-6)
    np.testing.assert_allclose(ops.nn.normalize(np.array([[1., 2., 3.], [4., 5., 6.]])),
                               [[0.26726124, 0.5345225, 0.8017837],
                                [0.45584232, 0.5698029, 0.68376344]], rtol=1e-6)
    probs = np.array([[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.2, 0.3, 0.5]])
    np.testing.assert_allclose(ops.nn.categorical_crossentropy(np.eye(3), probs),
                               [0.10536054, 0.22314355, 0.6931472], rtol=1e-6)
    np.testing.assert_allclose(ops.nn.sparse_categorical_crossentropy([0, 1, 2], probs),
                               [0.10536056, 0.22314355, 0.6931472], rtol=1e-6)
    np.testing.assert_allclose(ops.nn.binary_crossentropy(
        np.array([0, 1, 0, 1.]), np.array([0.1, 0.9, 0.2, 0.8])),
        [0.10536054, 0.10536054, 0.22314355, 0.22314355], rtol=1e-6)
