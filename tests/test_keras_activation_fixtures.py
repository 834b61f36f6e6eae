"""nnkit's activation layers against real Keras 3's outputs on the same inputs and weights
(fixtures written by ``tests/fixtures/make_activation_fixtures.py`` in a Keras venv)."""
import pathlib

import numpy as np
import pytest

import nnkit

FIXTURE = np.load(pathlib.Path(__file__).parent / "fixtures" / "activations" /
                  "keras_activations.npz")
X = FIXTURE["x"]

LAYERS = {
    "relu": lambda: nnkit.layers.ReLU(max_value=1.5, negative_slope=0.2, threshold=0.1),
    "leaky_relu": lambda: nnkit.layers.LeakyReLU(negative_slope=0.2),
    "elu": lambda: nnkit.layers.ELU(alpha=0.7),
    "softmax": lambda: nnkit.layers.Softmax(axis=-1),
    "softmax_axes": lambda: nnkit.layers.Softmax(axis=[1, 2]),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_activation_layer_equals_keras(name):
    np.testing.assert_allclose(LAYERS[name]()(X), FIXTURE[name], rtol=1e-5, atol=1e-6)


def test_masked_softmax_equals_keras():
    y = nnkit.layers.Softmax(axis=-1)(X, mask=FIXTURE["mask"])
    np.testing.assert_allclose(y, FIXTURE["softmax_masked"], rtol=1e-5, atol=1e-6)


def test_prelu_with_shared_axes_equals_keras_on_its_weights():
    layer = nnkit.layers.PReLU(shared_axes=[1])
    layer(X)
    layer.set_weights([FIXTURE["prelu_alpha"]])
    np.testing.assert_allclose(layer(X), FIXTURE["prelu"], rtol=1e-5, atol=1e-6)
