"""get_config → JSON → from_config gives the same layer/optimizer, for everything registered.

The test iterates nnkit's registries, so a newly registered layer is covered as
soon as it gets an entry in ``LAYER_ARGS`` — and the test fails loudly until it does.
"""
import json

import numpy as np
import pytest

import nnkit
from nnkit.optimizers import OPTIMIZERS
from nnkit.registry import LAYERS


def _ids(n=3, t=5, vocab=9):
    x = np.random.default_rng(0).integers(1, vocab, size=(n, t))
    x[0, 3:] = 0
    return x


def _seq(n=3, t=5, d=4):
    return np.random.default_rng(0).normal(size=(n, t, d))


# graph models take symbolic tensors, not config values; tests/test_graph_models.py
# round-trips their configs
MODEL_CLASSES = {"Sequential", "Model", "Functional"}

# class name -> (constructor kwargs factory, example input). Non-default values on purpose.
@nnkit.saving.register_serializable(package="tests")
def scaled_tanh(x, scale=1.0):
    """A registered function of ops for the Lambda entry."""
    return nnkit.ops.tanh(x) * scale


LAYER_ARGS = {
    "OpLayer": (lambda: dict(op=nnkit.ops.elementwise.Add(),
                             template=[["tensor", 0], ["constant", 0.5]]), _seq),
    "Lambda": (lambda: dict(function=scaled_tanh, arguments={"scale": 2.0}), _seq),
    "Rescaling": (lambda: dict(scale=1 / 255, offset=0.5), _seq),
    "MultiHeadAttention": (lambda: dict(num_heads=2, key_dim=3, value_dim=4, dropout=0.1,
                                        use_bias=False, output_shape=5,
                                        kernel_initializer="he_uniform", seed=1),
                           lambda: [_seq(), _seq()]),
    "Attention": (lambda: dict(use_scale=True, score_mode="concat", dropout=0.1, seed=1),
                  lambda: [_seq(), _seq()]),
    "AdditiveAttention": (lambda: dict(use_scale=False, dropout=0.1), lambda: [_seq(), _seq()]),
    "PositionEmbedding": (lambda: dict(sequence_length=7, initializer="he_uniform"), _seq),
    "TokenAndPositionEmbedding": (lambda: dict(vocabulary_size=9, sequence_length=6,
                                               embedding_dim=4, mask_zero=True,
                                               embeddings_initializer="glorot_normal"), _ids),
    "TransformerEncoder": (lambda: dict(intermediate_dim=5, num_heads=2, dropout=0.1,
                                        activation="tanh", layer_norm_epsilon=1e-3,
                                        kernel_initializer="he_uniform",
                                        bias_initializer="ones", normalize_first=True), _seq),
    "ReLU": (lambda: dict(max_value=6.0, negative_slope=0.1, threshold=0.5), _seq),
    "LeakyReLU": (lambda: dict(negative_slope=0.2), _seq),
    "ELU": (lambda: dict(alpha=0.5), _seq),
    "PReLU": (lambda: dict(alpha_initializer="ones", shared_axes=[1]), _seq),
    "Softmax": (lambda: dict(axis=[1, 2]), _seq),
    "Dense": (lambda: dict(units=3, activation="tanh", use_bias=False,
                           kernel_initializer=("uniform", {"scale": 0.2})),
              lambda: np.ones((2, 4))),
    "Activation": (lambda: dict(activation="softmax"), lambda: np.ones((2, 4))),
    "Dropout": (lambda: dict(rate=0.25), lambda: np.ones((2, 4))),
    "Embedding": (lambda: dict(input_dim=9, output_dim=3, mask_zero=True), _ids),
    "GlobalAveragePooling1D": (lambda: {}, _seq),
    "GlobalMaxPooling1D": (lambda: {}, _seq),
    "RNN": (lambda: dict(units=3, activation="relu", return_sequences=True, go_backwards=True,
                         dropout=0.1, recurrent_dropout=0.2), _seq),
    "LSTM": (lambda: dict(units=3, return_sequences=True, return_state=False,
                          unit_forget_bias=False, dropout=0.1), _seq),
    "StackedCells": (lambda: dict(input_size=4, layers=[3, 3], celltype=["gated_input", "lstm"],
                                  dropout=0.1, return_sequences=True), _seq),
    "SimpleRNN": (lambda: dict(units=3, activation="sigmoid", go_backwards=True), _seq),
    "GRU": (lambda: dict(units=3, activation="relu", reset_after=False, return_sequences=True,
                         dropout=0.1, recurrent_dropout=0.2), _seq),
    "Masking": (lambda: dict(mask_value=0.5), _seq),
    # text layers: a given vocabulary (an adapted one is an asset, saved beside the config)
    "TextVectorization": (lambda: dict(max_tokens=9, standardize="lower", split="character",
                                       ngrams=2, output_mode="count",
                                       vocabulary=["a", "b", "a b"], pad_to_max_tokens=True),
                          lambda: np.array(["ab", "Ba c"], dtype=object)),
    "StringLookup": (lambda: dict(vocabulary=["x", "y"], mask_token="", oov_token="?",
                                  invert=True), lambda: np.array([[1, 2, 3], [0, 2, 2]])),
    "IntegerLookup": (lambda: dict(vocabulary=[7, 8, 9], num_oov_indices=3,
                                   output_mode="multi_hot", sparse=False),
                      lambda: np.array([[7, 11], [9, 12]])),
    "Conv1D": (lambda: dict(filters=2, kernel_size=[3], strides=[2], padding="causal",
                            dilation_rate=[1], activation="relu", use_bias=False), _seq),
    "Conv2D": (lambda: dict(filters=2, kernel_size=[2, 3], strides=[1, 2], padding="same",
                            dilation_rate=[1, 1], activation="tanh"), lambda: _seq(2, 5, 12)
               .reshape(2, 5, 4, 3)),
    "MaxPooling1D": (lambda: dict(pool_size=[3], strides=[1], padding="same"), _seq),
    "AveragePooling1D": (lambda: dict(pool_size=[2], strides=[1], padding="valid"), _seq),
    "MaxPooling2D": (lambda: dict(pool_size=[2, 1], strides=[1, 1], padding="same"),
                     lambda: _seq(2, 5, 12).reshape(2, 5, 4, 3)),
    "AveragePooling2D": (lambda: dict(pool_size=[3, 3], strides=[2, 1], padding="same"),
                         lambda: _seq(2, 5, 12).reshape(2, 5, 4, 3)),
    "GlobalAveragePooling2D": (lambda: {}, lambda: _seq(2, 5, 12).reshape(2, 5, 4, 3)),
    "GlobalMaxPooling2D": (lambda: {}, lambda: _seq(2, 5, 12).reshape(2, 5, 4, 3)),
    "LayerNormalization": (lambda: dict(axis=[1, 2], epsilon=1e-4, center=False), _seq),
    "BatchNormalization": (lambda: dict(axis=1, momentum=0.9, epsilon=1e-4, scale=False), _seq),
    "Flatten": (lambda: {}, _seq),
    "Reshape": (lambda: dict(target_shape=[-1, 2]), _seq),
    "RepeatVector": (lambda: dict(n=3), lambda: np.ones((2, 4))),
    "Permute": (lambda: dict(dims=[2, 1]), _seq),
    "Cropping1D": (lambda: dict(cropping=[1, 2]), _seq),
    "TakeTimestep": (lambda: dict(index=-2), _seq),
    "SpatialDropout1D": (lambda: dict(rate=0.3), _seq),
    "TopKSoftmax": (lambda: dict(k=2, axis=1), _seq),
    "InputLayer": (lambda: dict(shape=[5, 4], dtype="float64", sparse=False), _seq),
    "Concatenate": (lambda: dict(axis=1), lambda: [_seq(), _seq(3, 2, 4)]),
    "Add": (lambda: {}, lambda: [_seq(), _seq(), _seq()]),
    "Subtract": (lambda: {}, lambda: [_seq(), _seq() * 2]),
    "Multiply": (lambda: {}, lambda: [_seq(), _seq() + 1]),
    "Average": (lambda: {}, lambda: [_seq(), _seq() * 3]),
    "Maximum": (lambda: {}, lambda: [_seq(), -_seq()]),
    "Minimum": (lambda: {}, lambda: [_seq(), -_seq()]),
    "Dot": (lambda: dict(axes=[2, 2], normalize=True), lambda: [_seq(), _seq(3, 4, 4)]),
    "TimeDistributed": (lambda: dict(layer=nnkit.Dense(2, activation="sigmoid")), _seq),
    "Bidirectional": (lambda: dict(layer=nnkit.LSTM(3, return_sequences=True),
                                   merge_mode="sum"), _seq),
}

OPTIMIZER_ARGS = {
    "SGD": dict(learning_rate=0.2, momentum=0.7, nesterov=True, clipnorm=1.0),
    "Adagrad": dict(learning_rate=0.2, initial_accumulator_value=0.3, epsilon=1e-5,
                    clipvalue=2.0),
    "Adadelta": dict(learning_rate=0.5, rho=0.9, epsilon=1e-5, global_clipnorm=5.0),
    "RMSprop": dict(learning_rate=0.2, rho=0.8, epsilon=1e-5),
    "Adam": dict(learning_rate=0.2, beta_1=0.8, beta_2=0.99, epsilon=1e-5),
    "AdamW": dict(learning_rate=0.2, weight_decay=0.01, beta_1=0.8, clipnorm=2.0),
}


def _nnkit_layer_names():
    """Registered layers defined by nnkit itself (tests may register their own)."""
    return [name for name in LAYERS.names()
            if LAYERS.get(name).__module__.startswith("nnkit.")]


def _json(config):
    return json.loads(json.dumps(config))


def test_every_registered_class_has_an_entry():
    missing = sorted(set(_nnkit_layer_names()) - set(LAYER_ARGS) - MODEL_CLASSES)
    assert not missing, f"registered layers without an entry in LAYER_ARGS: {missing}"
    missing = sorted(set(OPTIMIZERS.names()) - set(OPTIMIZER_ARGS))
    assert not missing, f"registered optimizers without an entry in OPTIMIZER_ARGS: {missing}"


@pytest.mark.parametrize("class_name",
                         sorted((set(_nnkit_layer_names()) | set(LAYER_ARGS)) - MODEL_CLASSES))
def test_layer_config_round_trip(class_name):
    if class_name not in LAYER_ARGS:
        pytest.fail(f"layer {class_name} is registered but has no entry in LAYER_ARGS")
    if class_name not in LAYERS.names():
        pytest.fail(f"LAYER_ARGS names {class_name}, which is not a registered layer (stale entry)")
    make_kwargs, make_input = LAYER_ARGS[class_name]
    cls = LAYERS.get(class_name)
    layer = cls(**make_kwargs(), name=f"my_{class_name.lower()}")
    config = layer.get_config()
    text = json.dumps(config)                      # JSON-serialisable
    clone = cls.from_config(json.loads(text))
    assert type(clone) is cls
    assert _json(clone.get_config()) == _json(config)
    assert clone.name == layer.name
    # the clone computes the same function once given the same weights
    x = make_input()
    nnkit.set_seed(0)
    y = layer(x)
    nnkit.set_seed(1)
    clone(x)
    clone.set_weights(layer.get_weights())
    y_clone = clone(x)
    for a, b in zip(y if isinstance(y, list) else [y], y_clone if isinstance(y_clone, list)
                    else [y_clone]):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_config_records_non_default_arguments():
    """Guard against get_config dropping an argument (the round trip would then still 'pass')."""
    for class_name, (make_kwargs, _) in LAYER_ARGS.items():
        if class_name not in LAYERS.names():
            continue
        kwargs = make_kwargs()
        config = _json(LAYERS.get(class_name)(**kwargs).get_config())
        for key, value in kwargs.items():
            if key == "layer":
                assert config["layer"]["class_name"] == type(value).__name__
                continue
            if isinstance(value, nnkit.ops.Op):       # an op: saved by its class name
                assert config[key] == type(value).__name__, f"{class_name}: {key}"
                continue
            if callable(value):                       # a function: saved by its registered name
                assert config[key] == value._nnkit_registered_name, f"{class_name}: {key}"
                continue
            assert key in config, f"{class_name}.get_config() lacks {key!r}"
            assert config[key] == _json(value), f"{class_name}: {key}"


def test_sequential_config_round_trip():
    model = nnkit.Sequential([nnkit.Embedding(9, 3, mask_zero=True, input_shape=(5,)),
                              nnkit.GlobalAveragePooling1D(),
                              nnkit.Dense(2, activation="softmax")])
    config = _json(model.get_config())
    clone = nnkit.Sequential.from_config(config)
    assert _json(clone.get_config()) == config
    clone.set_weights(model.get_weights())
    x = _ids()
    np.testing.assert_array_equal(model.predict(x), clone.predict(x))


@pytest.mark.parametrize("class_name", sorted(OPTIMIZERS.names()))
def test_optimizer_config_round_trip(class_name):
    cls = OPTIMIZERS.get(class_name)
    optimizer = cls(**OPTIMIZER_ARGS[class_name])
    config = optimizer.get_config()
    clone = cls.from_config(json.loads(json.dumps(config)))
    assert clone.get_config() == config
    for key, value in OPTIMIZER_ARGS[class_name].items():
        assert config[key] == value, f"{class_name}.get_config()[{key!r}]"


def test_unregistered_name_is_refused():
    with pytest.raises(nnkit.InvalidArgumentError, match="NoSuchLayer"):
        LAYERS.get("NoSuchLayer")
