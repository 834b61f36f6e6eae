"""Keras 3's layer-side conventions: the activation layers, the functional merge helpers,
Keras 2/3 keywords, ``data_format`` and ``compute_output_shape`` with the batch axis.

Expected values are Keras's documented numbers or plain NumPy formulas written here.
"""
import json
import warnings

import numpy as np
import pytest

import nnkit
from nnkit.registry import LAYERS
from nnkit.saving.keras_config_export import layer_config
from nnkit.saving.keras_config_import import layer_spec
from nnkit.testing import check_gradients

KERAS_INPUT = np.array([[-10.0, -5.0, 0.0, 5.0, 10.0]])


def _normal(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


def _round_trip(layer):
    config = json.loads(json.dumps(layer.get_config()))
    return LAYERS.get(type(layer).__name__).from_config(config)


# ---- activation layers ---------------------------------------------------------------
@pytest.mark.parametrize("kwargs,expected", [
    ({}, [0, 0, 0, 5, 10]),                                      # Keras's relu docstring
    ({"negative_slope": 0.5}, [-5, -2.5, 0, 5, 10]),
    ({"max_value": 5.0}, [0, 0, 0, 5, 5]),
    ({"threshold": 5.0}, [0, 0, 0, 0, 10]),
    ({"max_value": 10, "negative_slope": 0.5}, [-5, -2.5, 0, 5, 10]),   # the ReLU layer's
])
def test_relu_gives_kerass_documented_values(kwargs, expected):
    np.testing.assert_allclose(nnkit.ReLU(**kwargs)(KERAS_INPUT), [expected])


def test_relu_and_leaky_relu_follow_the_piecewise_formula():
    x = _normal(4, 6) * 3
    t, cap, s = 0.5, 2.0, 0.1
    expected = np.where(x > t, np.minimum(x, cap), s * (x - t))
    np.testing.assert_allclose(nnkit.ReLU(cap, s, t)(x), expected, rtol=1e-6)
    np.testing.assert_allclose(nnkit.LeakyReLU()(x), np.where(x >= 0, x, 0.3 * x), rtol=1e-6)
    np.testing.assert_allclose(nnkit.LeakyReLU(negative_slope=0.5)(KERAS_INPUT),
                               [[-5, -2.5, 0, 5, 10]])


def test_leaky_relu_takes_the_deprecated_alpha_with_kerass_warning():
    with pytest.warns(UserWarning, match="Argument `alpha` is deprecated. Use `negative_slope`"):
        layer = nnkit.LeakyReLU(alpha=0.1)
    assert layer.negative_slope == 0.1
    assert layer.get_config()["negative_slope"] == 0.1 and "alpha" not in layer.get_config()


@pytest.mark.parametrize("make,argument", [
    (lambda: nnkit.ReLU(max_value=-1.0), "max_value"),
    (lambda: nnkit.ReLU(negative_slope=None), "negative_slope"),
    (lambda: nnkit.ReLU(threshold=-0.5), "threshold"),
    (lambda: nnkit.LeakyReLU(-0.1), "negative_slope"),
])
def test_relu_refuses_negative_parameters_by_name(make, argument):
    with pytest.raises(nnkit.InvalidArgumentError, match=f"ReLU.*{argument}"):
        make()


def test_elu_follows_its_formula():
    x = _normal(3, 5)
    np.testing.assert_allclose(nnkit.ELU(0.7)(x), np.where(x > 0, x, 0.7 * (np.exp(x) - 1)),
                               rtol=1e-6)


def test_prelu_has_kerass_alpha_layout_and_formula():
    layer = nnkit.PReLU(shared_axes=[1])
    x = _normal(2, 5, 3)
    y = layer(x)
    assert list(layer.params) == ["alpha"] and layer.params["alpha"].shape == (1, 3)
    np.testing.assert_array_equal(y, np.maximum(x, 0).astype("float32"))   # alpha starts at 0
    alpha = np.array([[0.1, 0.2, 0.3]])
    layer.set_weights([alpha])
    np.testing.assert_allclose(layer(x), np.where(x >= 0, x, alpha * x), rtol=1e-6)
    assert nnkit.PReLU()(np.ones((2, 4, 3))).shape == (2, 4, 3)


def test_prelu_gradients_for_x_and_alpha(float64):
    layer = nnkit.PReLU(("uniform", {"scale": 0.5}), shared_axes=[1, 2])
    errors = check_gradients(layer, _normal(2, 3, 4, 2))
    assert set(errors) == {"x", "alpha"}
    assert layer.params["alpha"].shape == (1, 1, 2)


def test_prelu_fixes_its_unshared_axes_and_refuses_bad_shared_axes():
    layer = nnkit.PReLU(shared_axes=1)
    layer(np.ones((2, 5, 3)))
    assert layer(np.ones((2, 7, 3))).shape == (2, 7, 3)          # the shared (time) axis varies
    with pytest.raises(nnkit.ShapeError, match=r"p_re_lu.*\(PReLU\)"):   # Keras's auto name
        layer(np.ones((2, 5, 4)))
    with pytest.raises(nnkit.InvalidArgumentError, match="shared_axes"):
        nnkit.PReLU(shared_axes=[0])
    with pytest.raises(nnkit.ShapeError, match="alpha needs a known size"):
        nnkit.Sequential([nnkit.Masking(input_shape=(None, 3)), nnkit.PReLU()])


def _softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def test_softmax_normalises_the_axis_or_axes():
    x = _normal(2, 3, 4)
    np.testing.assert_allclose(nnkit.Softmax()(x), _softmax(x, -1), rtol=1e-5)
    np.testing.assert_allclose(nnkit.Softmax(axis=1)(x), _softmax(x, 1), rtol=1e-5)
    np.testing.assert_allclose(nnkit.Softmax(axis=[1, 2])(x), _softmax(x, (1, 2)), rtol=1e-5)
    np.testing.assert_allclose(nnkit.Softmax()(np.array([[1.0, 2.0, 1.0]])),
                               [[0.21194157, 0.5761169, 0.21194157]], rtol=1e-6)   # Keras's


def test_softmax_mask_follows_kerass_rule():
    x = _normal(2, 3, 4)
    mask = np.random.default_rng(1).random((2, 1, 4)) > 0.4          # broadcasts over axis 1
    mask[1, 0] = False                                               # a fully masked row
    full = np.broadcast_to(mask, x.shape)
    kept = np.where(full, np.exp(x - x.max(axis=-1, keepdims=True)), 0)
    expected = np.divide(kept, kept.sum(axis=-1, keepdims=True),
                         out=np.zeros_like(kept), where=kept.sum(axis=-1, keepdims=True) > 0)
    np.testing.assert_allclose(nnkit.Softmax()(x, mask=mask), expected, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(nnkit.Softmax()(x, mask=mask.astype(float) * 0.9), expected,
                               rtol=1e-5, atol=1e-7)              # > 0.5 keeps, as Keras
    steps = np.array([[True, True, False], [True, False, False]])   # nnkit's (N, T) step mask
    y = nnkit.Softmax()(x, mask=steps)
    np.testing.assert_array_equal(y[~steps], 0)
    np.testing.assert_allclose(y[steps], _softmax(x, -1)[steps], rtol=1e-5)
    with pytest.raises(nnkit.ShapeError, match="softmax.*mask must broadcast"):
        nnkit.Softmax()(x, mask=np.ones((2, 5), bool))


def test_softmax_masked_gradient(float64):
    mask = np.random.default_rng(2).random((2, 3, 4)) > 0.3
    errors = check_gradients(nnkit.Softmax(), _normal(2, 3, 4), mask=mask)
    assert set(errors) == {"x"}


@pytest.mark.parametrize("layer,keys", [
    (nnkit.ReLU(6.0, 0.1, 0.2), {"max_value": 6.0, "negative_slope": 0.1, "threshold": 0.2}),
    (nnkit.LeakyReLU(0.2), {"negative_slope": 0.2}),
    (nnkit.ELU(0.5), {"alpha": 0.5}),
    (nnkit.PReLU(shared_axes=[1, 2]), {"alpha_initializer": "zeros", "shared_axes": [1, 2]}),
    (nnkit.Softmax(axis=[1, 2]), {"axis": [1, 2]}),
])
def test_activation_layers_configs_use_kerass_keys(layer, keys):
    config = layer.get_config()
    assert {key: config[key] for key in keys} == keys
    assert _round_trip(layer).get_config() == json.loads(json.dumps(config))


def test_activation_layers_are_written_and_read_as_kerass_classes(tmp_path):
    layers = [nnkit.ReLU(6.0, name="relu6"), nnkit.LeakyReLU(0.2), nnkit.ELU(0.5),
              nnkit.PReLU(("uniform", {"scale": 0.5}), shared_axes=[1]), nnkit.Softmax()]
    model = nnkit.Sequential([nnkit.Dense(4, input_shape=(5, 3))] + layers)
    for layer in layers:
        spec = layer_config(layer)
        assert spec["class_name"] == type(layer).__name__ and spec["module"] == "keras.layers"
        assert layer_spec(spec)["class_name"] == type(layer).__name__
    assert layer_config(layers[3])["config"]["alpha_initializer"]["class_name"] == "RandomUniform"
    x = _normal(2, 5, 3)
    model.save(tmp_path / "model.keras")
    loaded = nnkit.load_model(tmp_path / "model.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)


def test_keras2_leaky_relu_config_is_read_with_its_alpha():
    with pytest.warns(UserWarning, match="`alpha` is deprecated"):
        spec = layer_spec({"class_name": "LeakyReLU",
                           "config": {"name": "leaky", "trainable": True, "alpha": 0.1}})
        layer = LAYERS.get(spec["class_name"]).from_config(spec["config"])
    assert layer.negative_slope == 0.1


# ---- functional merge helpers ----------------------------------------------------------
A, B = _normal(2, 3, seed=1), _normal(2, 3, seed=2)


@pytest.mark.parametrize("helper,expected", [
    (nnkit.layers.add, A + B), (nnkit.layers.subtract, A - B),
    (nnkit.layers.multiply, A * B), (nnkit.layers.average, (A + B) / 2),
    (nnkit.layers.maximum, np.maximum(A, B)), (nnkit.layers.minimum, np.minimum(A, B)),
    (nnkit.layers.concatenate, np.concatenate([A, B], axis=-1)),
])
def test_merge_helpers_on_arrays(helper, expected):
    np.testing.assert_allclose(helper([A, B]), expected, rtol=1e-6)


def test_dot_and_concatenate_helpers_take_kerass_arguments():
    np.testing.assert_allclose(nnkit.layers.dot([A, B], axes=1), (A * B).sum(1, keepdims=True),
                               rtol=1e-5)
    unit = lambda v: v / np.linalg.norm(v, axis=1, keepdims=True)      # noqa: E731
    np.testing.assert_allclose(nnkit.layers.dot([A, B], axes=1, normalize=True),
                               (unit(A) * unit(B)).sum(1, keepdims=True), rtol=1e-5)
    np.testing.assert_allclose(nnkit.layers.concatenate([A[:, :, None], B[:, :, None]], axis=1),
                               np.concatenate([A, B], axis=1)[:, :, None], rtol=1e-6)


def test_merge_helpers_build_graph_models():
    a, b = nnkit.Input((3,), name="a"), nnkit.Input((3,), name="b")
    added = nnkit.layers.add([a, b], name="sum")
    joined = nnkit.layers.concatenate([added, nnkit.layers.multiply([a, b])])
    assert joined.shape == (None, 6)
    model = nnkit.Model([a, b], joined)
    assert model.get_layer("sum").name == "sum"
    np.testing.assert_allclose(model.predict([A, B], verbose=0),
                               np.concatenate([A + B, A * B], axis=-1), rtol=1e-6)


# ---- Keras 2/3 keywords ----------------------------------------------------------------
def test_embedding_input_length_is_accepted_with_kerass_warning_and_ignored():
    with pytest.warns(UserWarning, match="Argument `input_length` is deprecated. Just remove it."):
        layer = nnkit.Embedding(10, 4, input_length=5)
    assert "input_length" not in layer.get_config() and layer.input_shape is None
    assert layer(np.ones((2, 7), "int32")).shape == (2, 7, 4)     # any length, as Keras 3


@pytest.mark.parametrize("kwargs,shape,message", [
    ({"input_dim": 4}, (4,), "input_shape`/`input_dim"),
    ({"input_shape": (6, 4)}, (6, 4), "input_shape`/`input_dim"),
    ({"batch_input_shape": (None, 6, 4)}, (6, 4), "batch_input_shape"),
])
def test_shape_keywords_are_accepted_with_a_warning(kwargs, shape, message):
    with pytest.warns(UserWarning, match=message):
        model = nnkit.Sequential([nnkit.Dense(3, **kwargs), nnkit.Dense(2)])
    assert model.layers[0].input_shape == shape and model.built


def test_a_stored_input_shape_is_restored_without_a_warning():
    with pytest.warns(UserWarning):
        config = nnkit.Dense(3, input_shape=(4,)).get_config()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert nnkit.Dense.from_config(config).input_shape == (4,)


def test_unknown_keywords_are_refused_with_kerass_words():
    with pytest.raises(nnkit.InvalidArgumentError,
                       match=r"unrecognized keyword arguments passed to Dense: \{'foo': 1\}"):
        nnkit.Dense(3, foo=1)
    with pytest.raises(nnkit.InvalidArgumentError, match="passed to Flatten.*kernel_regularizer"):
        nnkit.Flatten(kernel_regularizer="l2")


def test_kerass_common_keywords():
    assert nnkit.Dense(3, dtype="float32", autocast=False, activity_regularizer=None).units == 3
    with pytest.raises(nnkit.InvalidArgumentError, match="dense.*dtype='float16'"):
        nnkit.Dense(3, dtype="float16", name="dense")
    with pytest.raises(nnkit.InvalidArgumentError, match="activity_regularizer"):
        nnkit.Dense(3, activity_regularizer="l2")


# ---- data_format -------------------------------------------------------------------------
def _first(x):
    return np.moveaxis(x, -1, 1)


@pytest.mark.parametrize("make,shape", [
    (lambda f: nnkit.Conv2D(3, (2, 3), padding="same", strides=2, data_format=f), (2, 5, 6, 2)),
    (lambda f: nnkit.Conv1D(3, 2, data_format=f), (2, 6, 4)),
    (lambda f: nnkit.MaxPooling2D(2, data_format=f), (2, 4, 6, 3)),
    (lambda f: nnkit.AveragePooling1D(2, padding="same", data_format=f), (2, 5, 3)),
    (lambda f: nnkit.GlobalAveragePooling2D(data_format=f), (2, 4, 5, 3)),
    (lambda f: nnkit.GlobalMaxPooling2D(data_format=f), (2, 4, 5, 3)),
    (lambda f: nnkit.GlobalAveragePooling1D(data_format=f), (2, 5, 3)),
    (lambda f: nnkit.GlobalMaxPooling1D(data_format=f), (2, 5, 3)),
    (lambda f: nnkit.Flatten(data_format=f), (2, 4, 5, 3)),
])
def test_channels_first_computes_the_transposed_channels_last(make, shape, float64):
    x = _normal(*shape)
    last, first = make("channels_last"), make("channels_first")
    expected = last(x)
    first.build(_first(x).shape[1:])
    first.set_weights(last.get_weights())
    got = first(_first(x))
    np.testing.assert_allclose(got, _first(expected) if expected.ndim > 2 else expected,
                               rtol=1e-10)
    assert first.compute_output_shape((None,) + _first(x).shape[1:]) == (None,) + got.shape[1:]
    assert first.get_config()["data_format"] == "channels_first"
    check_gradients(first, _first(x))


def test_channels_first_global_pooling_takes_the_steps_mask():
    x = _normal(2, 3, 5)                                   # (N, D, T)
    mask = np.arange(5) < np.array([[5], [2]])
    got = nnkit.GlobalAveragePooling1D(data_format="channels_first")(x, mask=mask)
    expected = (x * mask[:, None, :]).sum(-1) / mask.sum(-1, keepdims=True)
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_keras_configs_with_channels_first_are_read_and_written():
    spec = layer_spec({"class_name": "Conv2D", "config": {
        "name": "conv", "filters": 2, "kernel_size": [3, 3], "data_format": "channels_first",
        "groups": 1}})
    layer = LAYERS.get(spec["class_name"]).from_config(spec["config"])
    assert layer(np.ones((1, 3, 6, 5))).shape == (1, 2, 4, 3)
    assert layer_config(layer)["config"]["data_format"] == "channels_first"


def test_data_format_none_is_the_configured_default_and_bad_values_are_refused():
    assert nnkit.Conv2D(2, 3).get_config()["data_format"] == "channels_last"
    previous = nnkit.config.image_data_format()
    nnkit.config.set_image_data_format("channels_first")
    try:
        layer = nnkit.Flatten()
    finally:
        nnkit.config.set_image_data_format(previous)
    assert layer.data_format == "channels_first"
    with pytest.raises(nnkit.InvalidArgumentError, match="pool.*data_format.*'channels_middle'"):
        nnkit.MaxPooling2D(data_format="channels_middle", name="pool")


# ---- compute_output_shape with the batch axis --------------------------------------------
@pytest.mark.parametrize("layer,input_shape,expected", [
    (nnkit.Dense(4), (None, 10, 8), (None, 10, 4)),
    (nnkit.Embedding(100, 6), (None, 7), (None, 7, 6)),
    (nnkit.LSTM(5, return_sequences=True), (32, None, 3), (32, None, 5)),
    (nnkit.Conv2D(8, 3), (None, 28, 28, 1), (None, 26, 26, 8)),
    (nnkit.GlobalAveragePooling1D(), (None, 10, 8), (None, 8)),
    (nnkit.Concatenate(), [(None, 3), (None, 4)], (None, 7)),
    (nnkit.TimeDistributed(nnkit.Dense(2)), (None, 5, 3), (None, 5, 2)),
])
def test_compute_output_shape_takes_and_gives_the_batch_axis(layer, input_shape, expected):
    assert layer.compute_output_shape(input_shape) == expected


def test_compute_output_shape_refuses_a_shape_without_axes():
    with pytest.raises(nnkit.ShapeError, match="dense.*batch axis first"):
        nnkit.Dense(4, name="dense").compute_output_shape(8)


def test_rescaling_maps_8_bit_images_to_the_unit_interval():
    images = np.arange(12, dtype="uint8").reshape(1, 2, 2, 3) * 20
    y = nnkit.layers.Rescaling(1.0 / 255, offset=-0.5)(images)
    np.testing.assert_allclose(y, images / 255.0 - 0.5, rtol=1e-6, atol=1e-7)
    assert y.dtype == np.float32
    with pytest.raises(nnkit.InvalidArgumentError, match="Rescaling.*scale"):
        nnkit.layers.Rescaling("1/255")
