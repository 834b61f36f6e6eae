"""Gradient checks of every core layer and of compiled models for every loss.

Each check compares the hand-written backward pass with central differences in
float64 (``nnkit.testing.check_gradients``); the last tests prove the checker
itself fails on a wrong backward pass.
"""
import numpy as np
import pytest

import nnkit
from nnkit.testing import GradientCheckError, check_gradients

ACTIVATIONS = ["linear", "relu", "sigmoid", "tanh", "softmax"]


@pytest.fixture(autouse=True)
def _float64(float64):
    """Every layer in this file is built in float64."""


def _checked(errors, *names):
    """The check returned an error for each named tensor, all small."""
    for name in names:
        assert name in errors, f"{name} was not checked: {sorted(errors)}"
    assert max(errors.values()) < 1e-5, errors


# ---- layers ---------------------------------------------------------------
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("shape", [(4, 3), (3, 4, 3)], ids=["2d", "3d"])
def test_dense(activation, shape):
    x = np.random.default_rng(0).normal(size=shape)
    errors = check_gradients(nnkit.Dense(5, activation=activation), x)
    _checked(errors, "x", "kernel", "bias")


def test_dense_without_bias_and_with_mask():
    x = np.random.default_rng(1).normal(size=(3, 4, 2))
    mask = np.array([[1, 1, 0, 0], [1, 1, 1, 1], [1, 0, 0, 0]], dtype=bool)
    errors = check_gradients(nnkit.Dense(3, activation="tanh", use_bias=False), x, mask=mask)
    _checked(errors, "x", "kernel")
    assert "bias" not in errors


def test_dense_sparse_input_kernel_gradient():
    scipy_sparse = pytest.importorskip("scipy.sparse")
    dense = np.random.default_rng(2).normal(size=(4, 6)) * (np.arange(24).reshape(4, 6) % 3 == 0)
    layer = nnkit.Dense(3, activation="sigmoid")
    layer(dense)                                     # build
    weights = layer.get_weights()
    twin = nnkit.Dense(3, activation="sigmoid")
    twin(dense)
    twin.set_weights(weights)
    dy = np.random.default_rng(3).normal(size=(4, 3))
    layer(scipy_sparse.csr_matrix(dense), training=True)
    layer.backward(dy)
    twin(dense, training=True)
    twin.backward(dy)
    np.testing.assert_allclose(layer.grads["kernel"], twin.grads["kernel"], rtol=1e-12)
    np.testing.assert_allclose(layer.grads["bias"], twin.grads["bias"], rtol=1e-12)
    # and the dense path itself is right
    _checked(check_gradients(nnkit.Dense(3, activation="sigmoid"), dense), "x", "kernel")


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 4)], ids=["2d", "3d"])
def test_activation(activation, shape):
    x = np.random.default_rng(4).normal(size=shape)
    _checked(check_gradients(nnkit.Activation(activation), x), "x")


def test_dropout_with_fixed_masks():
    x = np.random.default_rng(5).normal(size=(6, 7))
    layer = nnkit.Dropout(0.5)
    _checked(check_gradients(layer, x), "x")
    # the check really ran dropout: in training some outputs are zero, the rest doubled
    nnkit.set_seed(0)
    y = np.asarray(layer(x, training=True))
    dropped = y == 0
    assert 0 < dropped.sum() < x.size
    np.testing.assert_allclose(y[~dropped], 2 * x[~dropped])


def test_dropout_then_dense():
    """Dropout's mask is the same in every forward of the check (else this would fail)."""
    x = np.random.default_rng(6).normal(size=(5, 4))
    model = nnkit.Sequential([nnkit.Dense(6, activation="tanh", input_shape=(4,)),
                              nnkit.Dropout(0.4), nnkit.Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    _checked(check_gradients(model, x, np.array([0, 1, 2, 1, 0])), *model.named_parameters())


@pytest.mark.parametrize("mask_zero", [False, True])
def test_embedding(mask_zero):
    ids = np.array([[1, 2, 2, 0], [3, 1, 0, 0], [4, 4, 4, 4]])
    errors = check_gradients(nnkit.Embedding(5, 3, mask_zero=mask_zero), ids)
    _checked(errors, "embeddings")
    assert "x" not in errors                   # integer ids have no gradient


# ---- compiled models, every loss ------------------------------------------
def _mlp(output_units, output_activation, input_size=4):
    model = nnkit.Sequential([nnkit.Dense(5, activation="sigmoid", input_shape=(input_size,)),
                              nnkit.Dense(output_units, activation=output_activation)])
    return model


def _targets(loss, rng, n, classes):
    if loss == "sparse_categorical_crossentropy":
        return rng.integers(0, classes, size=n)
    if loss == "categorical_crossentropy":
        return np.eye(classes)[rng.integers(0, classes, size=n)]
    if loss == "binary_crossentropy":
        return rng.integers(0, 2, size=(n, classes)).astype(float)
    return rng.normal(size=(n, classes))


LOSSES = {"sparse_categorical_crossentropy": "softmax", "categorical_crossentropy": "softmax",
          "binary_crossentropy": "sigmoid", "mse": "linear"}


@pytest.mark.parametrize("loss", sorted(LOSSES))
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "sample_weight"])
def test_model_loss(loss, weighted):
    rng = np.random.default_rng(7)
    x = rng.normal(size=(6, 4))
    y = _targets(loss, rng, 6, 3)
    model = _mlp(3, LOSSES[loss])
    model.compile(nnkit.optimizers.SGD(0.1), loss)
    weights = rng.uniform(0.2, 2.0, size=6) if weighted else None
    errors = check_gradients(model, x, y, sample_weight=weights)
    # a model's first layer computes no input gradient (Sequential sets needs_input_grad=False)
    assert set(errors) == set(model.named_parameters())
    assert max(errors.values()) < 1e-5, errors


def _sequence_model(loss):
    model = nnkit.Sequential([nnkit.Embedding(7, 4, mask_zero=True),
                              nnkit.Dense(5, activation="tanh"),
                              nnkit.Dense(3, activation=LOSSES[loss])])
    model.compile("sgd", loss)
    return model


@pytest.mark.parametrize("loss", sorted(LOSSES))
@pytest.mark.parametrize("weights", [None, "per_example", "per_step"])
def test_model_loss_masked_sequences(loss, weights):
    """Embedding(mask_zero) → per-step outputs: the mask (and weights) enter the loss."""
    rng = np.random.default_rng(8)
    ids = np.array([[1, 2, 3, 0, 0], [4, 5, 6, 1, 2], [6, 0, 0, 0, 0]])
    y = _targets(loss, rng, 15, 3).reshape((3, 5) + (() if loss.startswith("sparse") else (3,)))
    sample_weight = {None: None, "per_example": np.array([1.0, 0.5, 2.0]),
                     "per_step": rng.uniform(0.1, 2.0, size=(3, 5))}[weights]
    model = _sequence_model(loss)
    errors = check_gradients(model, ids, y, sample_weight=sample_weight)
    assert set(errors) == set(model.named_parameters())
    assert max(errors.values()) < 1e-5, errors


# ---- the checker catches mistakes ------------------------------------------
@nnkit.register_layer
class _ScaleForGradientCheckTest(nnkit.Layer):
    """``y = x * w`` (per feature), with a switchable mistake in backward."""

    def __init__(self, mistake=None, **kwargs):
        super().__init__(**kwargs)
        self.mistake = mistake

    def build(self, input_shape):
        self.add_weight("w", (input_shape[-1],), ("normal", {"scale": 1.0}))
        super().build(input_shape)

    def forward(self, x, training=False, mask=None):
        if training:
            self._cache = x
        return x * self.params["w"]

    def backward(self, dy):
        x, self._cache = self._cache, None
        dw = (dy * x).reshape(-1, x.shape[-1]).sum(axis=0)
        dx = dy * self.params["w"]
        if self.mistake == "dw":
            dw = 0.9 * dw
        if self.mistake == "dx":
            dx = dx + 1e-3 * dy
        if self.mistake == "one_element":
            dw[0] += 1e-3
        self.grads["w"] += dw
        return dx

    def get_config(self):
        return {**super().get_config(), "mistake": self.mistake}


def test_checker_passes_the_correct_custom_layer():
    x = np.random.default_rng(9).normal(size=(4, 3))
    _checked(check_gradients(_ScaleForGradientCheckTest(), x), "x", "w")


@pytest.mark.parametrize("mistake, tensor", [("dw", "w"), ("dx", "x"), ("one_element", "w")])
def test_checker_fails_on_a_wrong_backward(mistake, tensor):
    x = np.random.default_rng(9).normal(size=(4, 3))
    with pytest.raises(GradientCheckError, match=f"gradient of '{tensor}'"):
        check_gradients(_ScaleForGradientCheckTest(mistake=mistake), x)


def test_checker_fails_on_a_broken_layer_inside_a_model():
    x = np.random.default_rng(10).normal(size=(4, 3))
    model = nnkit.Sequential([nnkit.Dense(3, input_shape=(3,)),
                              _ScaleForGradientCheckTest(mistake="dx"),
                              nnkit.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    # the mistake in dx corrupts the gradients of everything before the layer
    with pytest.raises(GradientCheckError, match="gradient of 'dense[_0-9]*/(kernel|bias)'"):
        check_gradients(model, x, np.array([0, 1, 1, 0]))


def test_checker_refuses_float32_weights():
    nnkit.set_floatx("float32")
    layer = nnkit.Dense(2)
    layer(np.ones((1, 3)))
    with pytest.raises(nnkit.DTypeError, match="float64"):
        check_gradients(layer, np.ones((2, 3)))
