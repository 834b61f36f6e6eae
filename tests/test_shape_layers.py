"""Flatten, Reshape, RepeatVector, Permute, Cropping1D, TakeTimestep, SpatialDropout1D, TopKSoftmax."""
import numpy as np
import pytest

import nnkit
from nnkit.testing import check_gradients

SEQ = np.random.default_rng(0).normal(size=(2, 5, 3))


@pytest.mark.parametrize("layer, x, expected", [
    (lambda: nnkit.Flatten(), SEQ, lambda x: x.reshape(2, -1)),
    (lambda: nnkit.Reshape((3, -1)), SEQ, lambda x: x.reshape(2, 3, 5)),
    (lambda: nnkit.RepeatVector(4), SEQ[:, 0], lambda x: np.stack([x] * 4, axis=1)),
    (lambda: nnkit.Permute((2, 1)), SEQ, lambda x: x.transpose(0, 2, 1)),
    (lambda: nnkit.Cropping1D((1, 2)), SEQ, lambda x: x[:, 1:3]),
    (lambda: nnkit.TakeTimestep(-2), SEQ, lambda x: x[:, -2]),
    (lambda: nnkit.TakeTimestep(0), SEQ, lambda x: x[:, 0]),
])
def test_moves_entries_as_numpy_and_gradients_check(layer, x, expected, float64):
    made = layer()
    y = made(x)
    np.testing.assert_array_equal(y, expected(x))
    assert y.shape[1:] == made.example_output_shape(x.shape[1:])
    check_gradients(layer(), x)


def test_cropping_crops_the_mask_too():
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool)
    layer = nnkit.Cropping1D(1)
    y, out_mask = layer.apply(SEQ, mask=mask)
    np.testing.assert_array_equal(out_mask, mask[:, 1:4])


@pytest.mark.parametrize("make, x, match", [
    (lambda: nnkit.Reshape((4, 4), name="r"), SEQ, "r.*cannot reshape"),
    (lambda: nnkit.Cropping1D((3, 2), name="c"), SEQ, "c.*leaves no step"),
    (lambda: nnkit.TakeTimestep(5, name="t"), SEQ, "t.*step 5"),
    (lambda: nnkit.TakeTimestep(-6), SEQ, "step -6"),
    (lambda: nnkit.RepeatVector(2), SEQ, "rank in \\(2,\\)"),
    (lambda: nnkit.TopKSoftmax(4, name="gate"), SEQ, "gate.*k=4 is larger than the 3"),
])
def test_bad_shapes_name_the_layer(make, x, match):
    with pytest.raises(nnkit.ShapeError, match=match):
        make()(x)


@pytest.mark.parametrize("make, match", [
    (lambda: nnkit.Reshape((2, -1, -1)), "at most one -1"),
    (lambda: nnkit.Permute((1, 3)), "permutation of 1..2"),
    (lambda: nnkit.RepeatVector(0), "positive integer"),
    (lambda: nnkit.Cropping1D(-1), "non-negative"),
    (lambda: nnkit.TakeTimestep(1.5), "integer"),
    (lambda: nnkit.TopKSoftmax(0), "positive integer"),
    (lambda: nnkit.SpatialDropout1D(1.0), "rate must be in"),
])
def test_bad_arguments(make, match):
    with pytest.raises(nnkit.InvalidArgumentError, match=match):
        make()


def test_take_timestep_refuses_a_mask():
    with pytest.raises(nnkit.InvalidArgumentError, match="cannot honour a mask"):
        nnkit.TakeTimestep(0)(SEQ, mask=np.ones((2, 5), bool))


def test_spatial_dropout_drops_whole_channels():
    x = np.ones((4, 6, 10), "float32")
    y = nnkit.SpatialDropout1D(0.5)(x, training=True)
    per_channel = y.std(axis=1)                       # a channel is all kept or all dropped
    np.testing.assert_array_equal(per_channel, 0.0)
    assert set(np.unique(y)) == {0.0, 2.0}
    np.testing.assert_array_equal(nnkit.SpatialDropout1D(0.5)(x), x)   # inference: identity


def test_spatial_dropout_gradients(float64):
    check_gradients(nnkit.SpatialDropout1D(0.4), SEQ)


def reference_top_k_softmax(z, k):
    out = np.zeros_like(z)
    for index in np.ndindex(z.shape[:-1]):
        row = z[index]
        top = sorted(range(len(row)), key=lambda i: (-row[i], i))[:k]
        e = np.exp(row[top] - row[top].max())
        out[index + (np.array(top),)] = e / e.sum()
    return out


@pytest.mark.parametrize("k", [1, 2, 4])
def test_top_k_softmax_matches_reference(k, float64):
    z = np.random.default_rng(1).normal(size=(3, 2, 4))
    y = nnkit.TopKSoftmax(k)(z)
    np.testing.assert_allclose(y, reference_top_k_softmax(z, k), rtol=1e-12)
    assert ((y > 0).sum(axis=-1) == k).all()
    np.testing.assert_allclose(y.sum(axis=-1), 1.0)
    check_gradients(nnkit.TopKSoftmax(k), z)


def test_top_k_softmax_ties_go_to_the_lower_index():
    y = nnkit.TopKSoftmax(2)(np.array([[1.0, 2.0, 2.0, 2.0]]))
    np.testing.assert_allclose(y, [[0.0, 0.5, 0.5, 0.0]])


def test_top_k_softmax_on_another_axis(float64):
    z = np.random.default_rng(2).normal(size=(2, 5, 3))
    y = nnkit.TopKSoftmax(2, axis=1)(z)
    expected = reference_top_k_softmax(z.transpose(0, 2, 1), 2).transpose(0, 2, 1)
    np.testing.assert_allclose(y, expected, rtol=1e-12)
    check_gradients(nnkit.TopKSoftmax(2, axis=1), z)


def test_top_k_gradient_reaches_kept_entries_only(float64):
    z = np.array([[0.5, 3.0, 1.0, -2.0]])
    layer = nnkit.TopKSoftmax(2)
    layer(z, training=True)
    dz = layer.backward(np.array([[1.0, 2.0, -1.0, 5.0]]))
    assert dz[0, 0] == 0.0 and dz[0, 3] == 0.0 and dz[0, 1] != 0.0
