"""check_padding_invariance passes on a masked model and fails on one that ignores the mask."""
import numpy as np
import pytest

import nnkit
from nnkit.layers.base import Layer
from nnkit.models import Sequential
from nnkit.testing import (PaddingInvarianceError, PaddingInvarianceReport,
                           check_padding_invariance)

VOCAB, LENGTHS = 30, [6, 4, 1, 5, 2, 3]


@nnkit.register_layer
class MaskIgnoringAveragePooling(nnkit.GlobalAveragePooling1D):
    """A deliberately wrong layer: claims mask support, then averages padding in too."""

    def forward(self, x, training=False, mask=None):
        if training:
            self._cache = x.shape[1]
        return x.mean(axis=1)

    def backward(self, dy):
        steps, self._cache = self._cache, None
        return np.repeat(dy[:, None, :] / steps, steps, axis=1)


class FlattenWithoutMask(Layer):
    """A layer that cannot honour a mask (supports_masking False)."""

    input_ranks = (3,)
    fixed_input_axes = (-2, -1)

    def example_output_shape(self, input_shape):
        return (int(np.prod(input_shape)),)

    def forward(self, x, training=False, mask=None):
        return x.reshape(len(x), -1)


def padded_batch(side="post"):
    rng = np.random.default_rng(0)
    x = np.zeros((len(LENGTHS), 6), dtype="int64")
    for n, length in enumerate(LENGTHS):
        tokens = rng.integers(1, VOCAB, size=length)
        if side == "post":
            x[n, :length] = tokens
        else:
            x[n, 6 - length:] = tokens
    return x, rng.integers(0, 3, size=len(LENGTHS))


def classifier(pooling):
    nnkit.set_seed(1)
    model = Sequential([nnkit.Embedding(VOCAB, 5, mask_zero=True),
                        nnkit.LSTM(4, return_sequences=True), pooling,
                        nnkit.Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    return model


@pytest.mark.parametrize("side", ["pre", "post"])
def test_passes_on_masked_lstm_classifier(side):
    x, y = padded_batch(side)
    report = check_padding_invariance(classifier(nnkit.GlobalAveragePooling1D()), x, y)
    assert isinstance(report, PaddingInvarianceReport) and report.ok
    assert set(report.variations) == {"post_padding", "pre_padding", "extra_post_padding",
                                      "extra_pre_padding", "padding_embedding_row"}
    variation = report.variations["pre_padding"]
    assert any(key.endswith("/embeddings") for key in variation.gradients)
    assert variation.outputs <= 1e-5 and variation.loss <= 1e-5 and variation.worst_gradient <= 1e-5


def test_passes_on_bidirectional_max_pooling_model():
    x, y = padded_batch("pre")
    nnkit.set_seed(4)
    model = Sequential([nnkit.Embedding(VOCAB, 4, mask_zero=True),
                        nnkit.Bidirectional(nnkit.LSTM(3, return_sequences=True)),
                        nnkit.GlobalMaxPooling1D(), nnkit.Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    assert check_padding_invariance(model, x, y).ok


def test_fails_on_model_that_ignores_the_mask():
    x, y = padded_batch("post")
    model = classifier(MaskIgnoringAveragePooling())
    report = check_padding_invariance(model, x, y, raise_on_failure=False)
    assert not report.ok
    for name in ("pre_padding", "extra_post_padding", "extra_pre_padding"):
        variation = report.variations[name]
        assert variation.failures and variation.outputs > 1e-4 and variation.loss > 1e-4
        assert variation.worst_gradient > 1e-3
    with pytest.raises(PaddingInvarianceError, match="pre_padding .*FAILED") as error:
        check_padding_invariance(model, x, y)
    assert not error.value.report.ok


def test_per_step_model_compares_valid_steps():
    x, _ = padded_batch("pre")
    y = np.random.default_rng(2).integers(0, 3, size=x.shape)
    nnkit.set_seed(3)
    model = Sequential([nnkit.Embedding(VOCAB, 4, mask_zero=True),
                        nnkit.LSTM(3, return_sequences=True),
                        nnkit.TimeDistributed(nnkit.Dense(3, activation="softmax"))])
    model.compile("sgd", "sparse_categorical_crossentropy")
    assert check_padding_invariance(model, x, y).ok
    with pytest.raises(nnkit.ShapeError):
        check_padding_invariance(model, x, y[:, 0])


def test_embedding_row_variation_catches_unmasked_embedding():
    x, y = padded_batch("post")
    model = Sequential([nnkit.Embedding(VOCAB, 4, mask_zero=False),
                        nnkit.GlobalAveragePooling1D(), nnkit.Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    report = check_padding_invariance(model, x, y, raise_on_failure=False)
    assert "padding_embedding_row" in report.skipped          # nothing declares 0 as padding
    assert report.variations["extra_post_padding"].failures     # the pad vectors are averaged in


def test_model_with_non_masking_layer_raises_instead_of_dropping_mask():
    x, y = padded_batch("post")
    model = Sequential([nnkit.Embedding(VOCAB, 4, mask_zero=True), FlattenWithoutMask(),
                        nnkit.Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    with pytest.raises(nnkit.InvalidArgumentError, match="cannot honour a mask"):
        model.predict(x)
    with pytest.raises(nnkit.InvalidArgumentError, match="cannot honour a mask"):
        check_padding_invariance(model, x, y)


def test_rejects_float_inputs():
    model = classifier(nnkit.GlobalAveragePooling1D())
    with pytest.raises(nnkit.InvalidArgumentError, match="integer ids"):
        check_padding_invariance(model, np.ones((2, 3)), np.zeros(2))
