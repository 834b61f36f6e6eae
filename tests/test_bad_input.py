"""Bad input gives an nnkit error naming the layer/argument, with expected vs received.

Every case asserts the error class (an ``nnkit.NnkitError`` that is also a
ValueError or TypeError) and the words of its message.
"""
import numpy as np
import pytest

import nnkit


def _mlp():
    model = nnkit.Sequential([nnkit.Dense(8, activation="tanh", input_shape=(6,), name="hidden"),
                              nnkit.Dense(3, activation="softmax", name="out")])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _text_model():
    model = nnkit.Sequential([nnkit.Embedding(20, 4, mask_zero=True, name="emb"),
                              nnkit.GlobalAveragePooling1D(name="pool"),
                              nnkit.Dense(2, activation="softmax", name="out")])
    model.compile("adam", "sparse_categorical_crossentropy")
    return model


X = np.random.default_rng(0).normal(size=(10, 6)).astype("float32")
Y = np.arange(10) % 3
IDS = np.random.default_rng(0).integers(1, 20, size=(10, 7))


def _nan_x():
    x = X.copy()
    x[3, 2] = np.nan
    return x


CASES = {
    # rank
    "rank_1_x": (lambda: _mlp().fit(X[:, 0], Y, verbose=0), nnkit.ShapeError,
                 ["x", "rank >= 2", "received shape (10,)"]),
    "rank_3_x": (lambda: _mlp().predict(X.reshape(10, 2, 3)), nnkit.ShapeError,
                 ["layer 'hidden'", "expected input of shape (N, 6)", "received shape (10, 2, 3)"]),
    # Keras's Embedding takes ids of any rank; the pooling after it names the extra axis
    "rank_3_ids": (lambda: _text_model().predict(IDS[:, :, None]), nnkit.ShapeError,
                   ["layer 'pool'", "rank in (3,)", "received shape (10, 7, 1, 4)"]),
    "layer_rank_1": (lambda: nnkit.Dense(2, name="solo")(np.ones(3)), nnkit.ShapeError,
                     ["layer 'solo'", "rank >= 2", "received shape (3,)"]),
    # feature size
    "feature_size": (lambda: _mlp().fit(X[:, :5], Y, verbose=0), nnkit.ShapeError,
                     ["layer 'hidden'", "(N, 6)", "received shape (1, 5)"]),
    "feature_size_predict": (lambda: _mlp().predict(np.ones((4, 7))), nnkit.ShapeError,
                             ["layer 'hidden'", "(N, 6)", "received shape (4, 7)"]),
    # targets
    "labels_out_of_range": (lambda: _mlp().fit(X, Y + 3, verbose=0), nnkit.InvalidArgumentError,
                            ["y", "[0, 3)", "3 outputs", "[3, 5]"]),
    "negative_labels": (lambda: _mlp().evaluate(X, Y - 1), nnkit.InvalidArgumentError,
                        ["y", "[0, 3)", "[-1, 1]"]),
    "fractional_labels": (lambda: _mlp().fit(X, Y + 0.5, verbose=0), nnkit.DTypeError,
                          ["y", "integer class labels"]),
    "target_shape": (lambda: _mlp().fit(X, np.eye(3)[Y], verbose=0), nnkit.ShapeError,
                     ["y", "sparse_categorical_crossentropy", "(N,)", "received shape (10, 3)"]),
    "one_hot_width": (lambda: _compiled("categorical_crossentropy").fit(X, np.eye(4)[Y % 4],
                                                                        verbose=0),
                      nnkit.ShapeError, ["y", "(N, 3)", "received shape (10, 4)"]),
    "binary_targets_range": (lambda: _compiled("binary_crossentropy", 1, "sigmoid").fit(
        X, Y, verbose=0), nnkit.InvalidArgumentError, ["y", "[0, 1]", "[0, 2]"]),
    # values
    "nan_x": (lambda: _mlp().fit(_nan_x(), Y, verbose=0), nnkit.InvalidArgumentError,
              ["x", "NaN"]),
    "nan_x_predict": (lambda: _mlp().predict(_nan_x()), nnkit.InvalidArgumentError,
                      ["x", "NaN"]),
    "inf_y": (lambda: _compiled("mse").fit(X, np.full((10, 3), np.inf), verbose=0),
              nnkit.InvalidArgumentError, ["y", "NaN or infinite"]),
    "nan_validation": (lambda: _mlp().fit(X, Y, validation_data=(_nan_x(), Y), verbose=0),
                       nnkit.InvalidArgumentError, ["x", "NaN"]),
    # lengths
    "x_y_lengths": (lambda: _mlp().fit(X, Y[:9], verbose=0), nnkit.ShapeError,
                    ["x", "y", "10", "9"]),
    "sample_weight_length": (lambda: _mlp().fit(X, Y, sample_weight=np.ones(4), verbose=0),
                             nnkit.ShapeError, ["sample_weight", "4 entries", "10 examples"]),
    "negative_sample_weight": (lambda: _mlp().fit(X, Y, sample_weight=-np.ones(10), verbose=0),
                               nnkit.InvalidArgumentError, ["sample_weight", ">= 0"]),
    # empty
    "empty_x": (lambda: _mlp().fit(X[:0], Y[:0], verbose=0), nnkit.ShapeError,
                ["x", "empty"]),
    "empty_predict": (lambda: _mlp().predict(np.zeros((0, 6))), nnkit.ShapeError,
                      ["x", "empty"]),
    # batch size and other arguments
    "batch_size_0": (lambda: _mlp().fit(X, Y, batch_size=0, verbose=0),
                     nnkit.InvalidArgumentError, ["batch_size", "positive integer", "0"]),
    "batch_size_negative": (lambda: _mlp().predict(X, batch_size=-3),
                            nnkit.InvalidArgumentError, ["batch_size", "-3"]),
    "batch_size_float": (lambda: _mlp().evaluate(X, Y, batch_size=2.5),
                         nnkit.InvalidArgumentError, ["batch_size", "2.5"]),
    "validation_split": (lambda: _mlp().fit(X, Y, validation_split=1.5, verbose=0),
                         nnkit.InvalidArgumentError, ["validation_split", "[0, 1)", "1.5"]),
    "dropout_rate": (lambda: nnkit.Dropout(1.0, name="drop"), nnkit.InvalidArgumentError,
                     ["layer 'drop'", "rate", "[0, 1)", "1.0"]),
    # unknown names
    "unknown_optimizer": (lambda: _mlp().compile("sgdd", "mse"), nnkit.InvalidArgumentError,
                          ["optimizer", "'sgdd'", "adam"]),
    "unknown_loss": (lambda: _mlp().compile("sgd", "hingee"), nnkit.InvalidArgumentError,
                     ["loss", "'hingee'", "categorical_crossentropy"]),
    "unknown_activation": (lambda: nnkit.Dense(3, activation="relux"),
                           nnkit.InvalidArgumentError, ["activation", "'relux'", "relu"]),
    "unknown_activation_layer": (lambda: nnkit.Activation("gelu"), nnkit.InvalidArgumentError,
                                 ["activation", "'gelu'", "tanh"]),
    "unknown_initializer": (lambda: nnkit.Dense(3, kernel_initializer="he_normall")(X),
                            nnkit.InvalidArgumentError,
                            ["initializer", "'he_normall'", "glorot_uniform"]),
    "unknown_metric": (lambda: _mlp().compile("sgd", "mse", metrics=["f1"]),
                       nnkit.InvalidArgumentError, ["metric", "'f1'", "accuracy"]),
    "unknown_backend": (lambda: nnkit.backend.set_backend("jax"), nnkit.InvalidArgumentError,
                        ["backend", "'jax'", "numpy"]),
    "unknown_floatx": (lambda: nnkit.set_floatx("float16"), nnkit.InvalidArgumentError,
                       ["float32", "float16"]),
    # dtypes
    "float_ids": (lambda: _text_model().fit(IDS + 0.5, Y % 2, verbose=0),
                  nnkit.DTypeError, ["layer 'emb'", "integer token ids", "float64"]),
    "float_ids_layer": (lambda: nnkit.Embedding(5, 2, name="e2")(np.full((2, 3), 1.5)),
                        nnkit.DTypeError, ["layer 'e2'", "integer token ids", "float64"]),
    "ids_out_of_vocabulary": (lambda: _text_model().predict(IDS + 20),
                              nnkit.InvalidArgumentError, ["layer 'emb'", "[0, 20)", "39"]),
    "string_x": (lambda: _mlp().fit(np.array([["a"] * 6] * 10), Y, verbose=0),
                 nnkit.DTypeError, ["x", "numbers", "<U1"]),
    "string_x_predict": (lambda: _mlp().predict([["1", "2", "3", "4", "5", "6"]]),
                         nnkit.DTypeError, ["x", "<U1"]),
    "string_y": (lambda: _mlp().fit(X, np.array(["pos", "neg"] * 5), verbose=0),
                 nnkit.DTypeError, ["y", "numeric targets", "<U3"]),
    "ragged_x": (lambda: _text_model().fit([[1, 2, 3], [4, 5]], [0, 1], verbose=0),
                 nnkit.NnkitError, ["x", "pad"]),
    # use before compile/build
    "fit_before_compile": (lambda: nnkit.Sequential([nnkit.Dense(2)]).fit(X, Y, verbose=0),
                           nnkit.NotBuiltError, ["compile"]),
    "set_weights_count": (lambda: _mlp().set_weights([np.zeros((6, 8))]), nnkit.ShapeError,
                          ["set_weights", "expected 4 arrays", "received 1"]),
    "mask_to_unmasked_layer": (lambda: nnkit.Sequential([
        nnkit.Embedding(20, 4, mask_zero=True, name="emb2"),
        nnkit.Dense(3, name="d3"), _NoMask(name="nomask")]).predict(IDS),
        nnkit.InvalidArgumentError, ["layer 'nomask'", "mask"]),
}


class _NoMask(nnkit.Layer):
    """A layer without mask support (the base default)."""

    def forward(self, x, training=False, mask=None):
        return x


def _compiled(loss, units=3, activation="softmax"):
    model = nnkit.Sequential([nnkit.Dense(units, activation=activation, input_shape=(6,),
                                          name="out")])
    model.compile("sgd", loss)
    return model


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_raises_a_clear_nnkit_error(case):
    action, error_class, words = CASES[case]
    with pytest.raises(error_class) as info:
        action()
    error = info.value
    assert isinstance(error, nnkit.NnkitError)
    assert isinstance(error, (ValueError, TypeError, RuntimeError))
    message = str(error)
    for word in words:
        assert word in message, f"{case}: {word!r} not in {message!r}"


def test_errors_are_catchable_as_builtin_types():
    with pytest.raises(ValueError):
        _mlp().fit(X, Y + 3, verbose=0)
    with pytest.raises(TypeError):
        _mlp().fit(np.array([["a"] * 6] * 10), Y, verbose=0)


def test_bad_input_leaves_the_model_untouched():
    model = _mlp()
    before = model.get_weights()
    for bad in (lambda: model.fit(X, Y + 3, verbose=0),
                lambda: model.fit(_nan_x(), Y, verbose=0),
                lambda: model.fit(X, Y, batch_size=0, verbose=0),
                lambda: model.fit(X, Y[:9], verbose=0)):
        with pytest.raises(nnkit.NnkitError):
            bad()
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)
    assert model.optimizer.iterations == 0
