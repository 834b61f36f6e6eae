"""Conv1D/Conv2D and local pooling: a plain loop reference, float64 gradients, clear errors."""
import itertools

import numpy as np
import pytest

import nnkit
from nnkit.testing import check_gradients

CONV1D_GEOMETRIES = [(padding, strides, dilation) for padding in ("valid", "same", "causal")
                     for strides, dilation in ((1, 1), (2, 1), (1, 2), (3, 1))]


def naive_conv1d(x, kernel, bias, strides, padding, dilation):
    """Direct loop over output positions and taps (TensorFlow's padding rule)."""
    n, t, _ = x.shape
    k = kernel.shape[0]
    span = dilation * (k - 1) + 1
    if padding == "valid":
        before, out = 0, (t - span) // strides + 1
    elif padding == "causal":
        before, out = span - 1, (t - 1) // strides + 1
    else:
        out = -(-t // strides)
        before = max((out - 1) * strides + span - t, 0) // 2
    y = np.zeros((n, out, kernel.shape[2])) + bias
    for position, tap in itertools.product(range(out), range(k)):
        source = position * strides + tap * dilation - before
        if 0 <= source < t:
            y[:, position] += x[:, source] @ kernel[tap]
    return y


@pytest.mark.parametrize("padding, strides, dilation", CONV1D_GEOMETRIES)
def test_conv1d_matches_a_direct_loop(padding, strides, dilation, float64):
    x = np.random.default_rng(0).normal(size=(2, 11, 3))
    layer = nnkit.Conv1D(4, 3, strides=strides, padding=padding, dilation_rate=dilation)
    y = layer(x)
    kernel, bias = layer.get_weights()
    np.testing.assert_allclose(y, naive_conv1d(x, kernel, bias, strides, padding, dilation),
                               rtol=1e-12, atol=1e-12)
    assert y.shape[1:] == layer.example_output_shape(x.shape[1:])


@pytest.mark.parametrize("padding, strides, dilation", CONV1D_GEOMETRIES)
def test_conv1d_gradients(padding, strides, dilation, float64):
    x = np.random.default_rng(1).normal(size=(2, 9, 3))
    check_gradients(nnkit.Conv1D(2, 3, strides=strides, padding=padding, dilation_rate=dilation,
                                 activation="tanh"), x)


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("strides, dilation", [((1, 1), (1, 1)), ((2, 1), (1, 1)),
                                               ((1, 1), (2, 1)), ((2, 2), (1, 1)),
                                               ((1, 2), (1, 2))])
def test_conv2d_gradients(padding, strides, dilation, float64):
    x = np.random.default_rng(2).normal(size=(2, 6, 5, 2))
    layer = nnkit.Conv2D(2, (3, 2), strides=strides, padding=padding, dilation_rate=dilation)
    check_gradients(layer, x)
    assert layer(x).shape[1:] == layer.example_output_shape(x.shape[1:])


@pytest.mark.parametrize("layer", [
    lambda: nnkit.MaxPooling1D(2), lambda: nnkit.MaxPooling1D(3, strides=2, padding="same"),
    lambda: nnkit.AveragePooling1D(3, strides=1, padding="same"),
    lambda: nnkit.AveragePooling1D(2, strides=3)])
def test_pooling1d_gradients(layer, float64):
    # distinct values: a max-pooling gradient is defined only without ties
    x = np.random.default_rng(3).permutation(2 * 9 * 3).reshape(2, 9, 3) / 7.0
    check_gradients(layer(), x)


@pytest.mark.parametrize("layer", [
    lambda: nnkit.MaxPooling2D(), lambda: nnkit.MaxPooling2D((3, 3), strides=2, padding="same"),
    lambda: nnkit.AveragePooling2D((3, 2), strides=(2, 1), padding="same"),
    lambda: nnkit.AveragePooling2D(), lambda: nnkit.GlobalMaxPooling2D(),
    lambda: nnkit.GlobalAveragePooling2D()])
def test_pooling2d_gradients(layer, float64):
    x = np.random.default_rng(4).permutation(2 * 5 * 6 * 2).reshape(2, 5, 6, 2) / 9.0
    check_gradients(layer(), x)


def test_max_pooling_same_padding_never_picks_padding():
    x = -np.ones((1, 3, 1))                      # all negative: a zero pad would win
    y = nnkit.MaxPooling1D(2, padding="same")(x)
    np.testing.assert_array_equal(y, -1.0)


def test_causal_output_ignores_the_future():
    x = np.random.default_rng(5).normal(size=(1, 8, 2))
    layer = nnkit.Conv1D(3, 3, padding="causal", dilation_rate=2)
    y = layer(x)
    x2 = x.copy()
    x2[:, 5:] += 10.0
    np.testing.assert_array_equal(layer(x2)[:, :5], y[:, :5])


def test_kernel_larger_than_input_is_a_clear_error():
    with pytest.raises(nnkit.ShapeError, match="conv1d.*spans 5 steps.*only 4"):
        nnkit.Conv1D(2, 5, name="conv1d")(np.ones((1, 4, 3)))
    with pytest.raises(nnkit.ShapeError, match="spans 3"):
        nnkit.MaxPooling2D(3)(np.ones((1, 2, 5, 1)))


@pytest.mark.parametrize("make, match", [
    (lambda: nnkit.Conv1D(2, 3, padding="full"), "padding must be one of"),
    (lambda: nnkit.Conv2D(2, 3, padding="causal"), "padding must be one of"),
    (lambda: nnkit.Conv2D(2, (3, 3, 3)), "kernel_size must be"),
    (lambda: nnkit.Conv1D(2, 0), "kernel_size must be"),
    (lambda: nnkit.MaxPooling1D(2, strides=-1), "strides must be"),
])
def test_bad_arguments_name_the_argument(make, match):
    with pytest.raises(nnkit.InvalidArgumentError, match=match):
        make()


def test_wrong_rank_and_channels_are_refused():
    layer = nnkit.Conv2D(2, 2, name="c2")
    with pytest.raises(nnkit.ShapeError, match="c2.*rank in \\(4,\\)"):
        layer(np.ones((2, 5, 3)))
    layer(np.ones((2, 5, 5, 3)))
    with pytest.raises(nnkit.ShapeError, match="c2"):
        layer(np.ones((2, 5, 5, 4)))


def test_a_mask_is_refused_loudly():
    x = np.ones((2, 5, 3))
    with pytest.raises(nnkit.InvalidArgumentError, match="cannot honour a mask"):
        nnkit.Conv1D(2, 3)(x, mask=np.ones((2, 5), bool))


def test_conv_kernel_initializer_counts_the_receptive_field():
    layer = nnkit.Conv1D(250, 3)
    layer.build((5, 50))
    limit = np.sqrt(6.0 / (3 * 50 + 3 * 250))     # Keras: fans scaled by the window
    largest = np.abs(layer.get_weights()[0]).max()
    assert 0.99 * limit < largest <= limit


def test_conv_trains_in_a_sequential_model():
    rng = np.random.default_rng(6)
    x = rng.normal(size=(64, 12, 1))
    y = (x[:, 3:6, 0].sum(axis=1) > 0).astype(int)
    model = nnkit.Sequential([nnkit.Conv1D(8, 3, activation="relu", input_shape=(12, 1)),
                              nnkit.MaxPooling1D(2), nnkit.Flatten(),
                              nnkit.Dense(2, activation="softmax")])
    model.compile(nnkit.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    first = model.evaluate(x, y, return_dict=True)["loss"]
    model.fit(x, y, epochs=30, batch_size=16, verbose=0)
    assert model.evaluate(x, y, return_dict=True)["loss"] < 0.5 * first
