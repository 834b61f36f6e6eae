"""Every registered layer and cell proves itself: a float64 gradient check and a config round trip.

The tests enumerate nnkit's registries (``nnkit.registry.LAYERS`` and
``CELLS``), so a newly registered class is covered as soon as it has an entry
in ``CASES`` — and fails, naming itself, until it does. Each case builds the
layer under float64 and feeds it small random inputs; layers that take a mask
get the variable-length ``MASK`` (merge layers one mask per input), Embedding
gets zero-padded ids, cells run inside ``RNN(cell)`` (``GatedInput`` inside
``StackedCells``), wrappers wrap a real layer, and models are compiled and
checked through their loss. Dropout is checked in training: the checker
reseeds nnkit's generator before every forward, so its masks stay fixed.
"""
import json
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pytest

import nnkit
from nnkit.layers.op_layer import OpLayer
from nnkit.layers import attention
from nnkit.registry import CELLS, LAYERS
from nnkit.testing import check_gradients

N, T, D = 3, 4, 3
#: variable lengths 4, 2, 1
MASK = np.arange(T) < np.array([[4], [2], [1]])


def _normal(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


def _seq(seed=0):
    return _normal(N, T, D, seed=seed)


def _image(seed=0):
    return _normal(2, 4, 5, 2, seed=seed)


def _ids():
    """Token ids in 1..8, zero-padded to the lengths of ``MASK``."""
    return np.random.default_rng(0).integers(1, 9, size=(N, T)) * MASK


def _texts():
    """``(N,)`` strings for the text layers."""
    return np.array(["a great film", "great plot plot", "unknown"], dtype=object)


def _padded_seq():
    """``_seq()`` with the steps outside ``MASK`` set to 0 (``Masking``'s default value)."""
    return _seq() * MASK[:, :, None]


def _compiled(model):
    model.compile("sgd", "mse")
    return model


def _graph_model():
    a, b = nnkit.Input((T, D), name="a"), nnkit.Input((T, D), name="b")
    joined = nnkit.Concatenate()([nnkit.Dense(2, activation="tanh")(a), b])
    return _compiled(nnkit.Model([a, b], nnkit.Dense(2)(nnkit.GlobalAveragePooling1D()(joined))))


@dataclass(frozen=True)
class Case:
    """One way to build and feed a layer.

    Attributes:
        make: builds the layer (float64 is on), or a compiled model.
        x: builds the input: an array, a list for merge layers, integer ids for Embedding.
        mask: handed to a layer (``MASK``, or a list with one entry per merge input).
        y: builds the targets; set exactly for a compiled model (checked through its loss).
        check_inputs: a model's float inputs are checked too. False only where
            they hold padding read by ``Masking``: moving a padded entry makes
            the step real, so no derivative exists there.
        atol: the checker's absolute tolerance (its default unless a case says why).
    """

    make: Callable[[], Any]
    x: Callable[[], Any]
    mask: Any = None
    y: Callable[[], Any] = None
    check_inputs: bool = True
    atol: float = 1e-9


@nnkit.saving.register_serializable(package="tests")
def cube_plus(x):
    """A registered function of ops for the Lambda case."""
    return nnkit.ops.power(x, 3.0) + x


CASES = {
    "Lambda": [Case(lambda: nnkit.layers.Lambda(cube_plus), _seq, MASK)],
    "Rescaling": [Case(lambda: nnkit.layers.Rescaling(0.5, offset=-1.0), _seq, MASK)],
    "OpLayer": [Case(lambda: OpLayer(nnkit.ops.products.Matmul(),
                                     [["tensor", 0], ["tensor", 1]]),
                     lambda: [_normal(N, T, D), _normal(D, 3)])],
    "Activation": [Case(lambda: nnkit.Activation("tanh"), _seq, MASK),
                   Case(lambda: nnkit.Activation("softmax"), lambda: _normal(N, 5))],
    "ReLU": [Case(lambda: nnkit.ReLU(max_value=1.5, negative_slope=0.2, threshold=0.1), _seq,
                  MASK)],
    "LeakyReLU": [Case(lambda: nnkit.LeakyReLU(0.2), _seq, MASK)],
    "ELU": [Case(lambda: nnkit.ELU(0.7), _seq, MASK)],
    "PReLU": [Case(lambda: nnkit.PReLU(("uniform", {"scale": 0.5}), shared_axes=[1]), _seq,
                   MASK),
              Case(lambda: nnkit.PReLU(("uniform", {"scale": 0.5})), _image)],
    "Softmax": [Case(nnkit.Softmax, _seq, MASK),
                Case(lambda: nnkit.Softmax(axis=[1, 2]), _seq,
                     np.random.default_rng(0).random((N, T, D)) > 0.3)],
    "Dense": [Case(lambda: nnkit.Dense(2, activation="sigmoid"), _seq, MASK)],
    "Dropout": [Case(lambda: nnkit.Dropout(0.4), _seq, MASK)],
    "SpatialDropout1D": [Case(lambda: nnkit.SpatialDropout1D(0.5), _seq, MASK)],
    "Embedding": [Case(lambda: nnkit.Embedding(9, 2, mask_zero=True), _ids)],
    # text layers: strings or ids in, no float input and no weights, so nothing to check
    # but that the checker finds nothing; the vocabulary is given so the config carries it
    "TextVectorization": [Case(lambda: nnkit.layers.TextVectorization(
        vocabulary=["great", "film", "plot"], output_sequence_length=T), _texts),
        Case(lambda: nnkit.layers.TextVectorization(
            vocabulary=["great", "film"], idf_weights=[0.5, 1.5], output_mode="tf_idf"), _texts)],
    "StringLookup": [Case(lambda: nnkit.layers.StringLookup(
        vocabulary=["great", "film"], output_mode="count"), lambda: _texts().reshape(N // 3, 3))],
    "IntegerLookup": [Case(lambda: nnkit.layers.IntegerLookup(
        vocabulary=[2, 4, 6], num_oov_indices=2, mask_token=0), _ids)],
    "Masking": [Case(lambda: nnkit.Masking(), _seq),
                Case(lambda: _compiled(nnkit.Sequential([nnkit.Masking(input_shape=(T, D)),
                                                         nnkit.GRU(2)])),
                     _padded_seq, y=lambda: _normal(N, 2), check_inputs=False)],
    "InputLayer": [Case(lambda: nnkit.layers.InputLayer((T, D)), _seq)],
    # data_format="channels_first": _seq is read as (N, D=4, T=3), so the mask is (N, 3)
    "GlobalAveragePooling1D": [Case(nnkit.GlobalAveragePooling1D, _seq, MASK),
                               Case(lambda: nnkit.GlobalAveragePooling1D("channels_first"),
                                    _seq, MASK[:, :D])],
    "GlobalMaxPooling1D": [Case(nnkit.GlobalMaxPooling1D, _seq, MASK),
                           Case(lambda: nnkit.GlobalMaxPooling1D("channels_first"), _seq,
                                MASK[:, :D])],
    "GlobalAveragePooling2D": [Case(nnkit.GlobalAveragePooling2D, _image),
                               Case(lambda: nnkit.GlobalAveragePooling2D("channels_first"),
                                    _image)],
    "GlobalMaxPooling2D": [Case(nnkit.GlobalMaxPooling2D, _image),
                           Case(lambda: nnkit.GlobalMaxPooling2D("channels_first"), _image)],
    "AveragePooling1D": [Case(lambda: nnkit.AveragePooling1D(3, strides=1, padding="same"),
                              _seq)],
    "MaxPooling1D": [Case(lambda: nnkit.MaxPooling1D(2), _seq),
                     Case(lambda: nnkit.MaxPooling1D(2, data_format="channels_first"), _seq)],
    "AveragePooling2D": [Case(lambda: nnkit.AveragePooling2D((2, 3), padding="same"), _image)],
    "MaxPooling2D": [Case(lambda: nnkit.MaxPooling2D((2, 2), strides=1), _image)],
    "Conv1D": [Case(lambda: nnkit.Conv1D(2, 2, padding="causal", dilation_rate=2,
                                         activation="tanh"), _seq)],
    "Conv2D": [Case(lambda: nnkit.Conv2D(2, (2, 3), strides=(1, 2), padding="same"), _image),
               Case(lambda: nnkit.Conv2D(2, 2, data_format="channels_first"), _image)],
    # atol: the standardised outputs sum to ~0, so L's round-off (~1e-10) dominates small entries
    "LayerNormalization": [Case(nnkit.LayerNormalization, _seq, MASK, atol=1e-8),
                           Case(lambda: nnkit.LayerNormalization(axis=[1, 2]), _seq, atol=1e-8)],
    "BatchNormalization": [Case(nnkit.BatchNormalization, _seq, MASK)],
    "Flatten": [Case(nnkit.Flatten, _seq),
                Case(lambda: nnkit.Flatten("channels_first"), _image)],
    "Reshape": [Case(lambda: nnkit.Reshape((-1, 2)), lambda: _normal(N, 4, 3))],
    "Permute": [Case(lambda: nnkit.Permute((2, 1)), _seq)],
    "RepeatVector": [Case(lambda: nnkit.RepeatVector(2), lambda: _normal(N, D))],
    "Cropping1D": [Case(lambda: nnkit.Cropping1D((1, 1)), _seq, MASK)],
    "TakeTimestep": [Case(lambda: nnkit.TakeTimestep(-2), _seq)],
    "TopKSoftmax": [Case(lambda: nnkit.TopKSoftmax(2), _seq, MASK)],
    "Add": [Case(nnkit.Add, lambda: [_seq(0), _seq(1), _seq(2)], [MASK, None, MASK])],
    "Subtract": [Case(nnkit.Subtract, lambda: [_seq(0), _seq(1)], [MASK, None])],
    "Multiply": [Case(nnkit.Multiply, lambda: [_seq(0), _seq(1)], [MASK, MASK])],
    "Average": [Case(nnkit.Average, lambda: [_seq(0), _seq(1)], [None, MASK])],
    "Maximum": [Case(nnkit.Maximum, lambda: [_seq(0), _seq(1)], [MASK, None])],
    "Minimum": [Case(nnkit.Minimum, lambda: [_seq(0), _seq(1)], [MASK, None])],
    "Concatenate": [Case(nnkit.Concatenate, lambda: [_seq(0), _seq(1)], [MASK, None]),
                    Case(lambda: nnkit.Concatenate(axis=1), lambda: [_seq(0), _seq(1)])],
    "Dot": [Case(lambda: nnkit.Dot(axes=2, normalize=True),
                 lambda: [_seq(0), _normal(N, 2, D, seed=1)])],
    "MultiHeadAttention": [Case(lambda: nnkit.MultiHeadAttention(2, 2, value_dim=3, dropout=0.3),
                                lambda: [_seq(0), _normal(N, 5, 2, seed=1)], [MASK, None]),
                           Case(lambda: nnkit.MultiHeadAttention(2, 2, output_shape=(2, 2)),
                                lambda: [_seq(0), _seq(1), _seq(2)], [MASK, MASK, None])],
    "Attention": [Case(lambda: nnkit.Attention(use_scale=True, score_mode="concat"),
                       lambda: [_seq(0), _seq(1)], [MASK, MASK]),
                  Case(lambda: nnkit.Attention(use_scale=True, dropout=0.3),
                       lambda: [_seq(0), _seq(1), _seq(2)], [MASK, None])],
    "AdditiveAttention": [Case(nnkit.AdditiveAttention, lambda: [_seq(0), _seq(1), _seq(2)],
                               [MASK, MASK])],
    "PositionEmbedding": [Case(lambda: attention.PositionEmbedding(6), _seq, MASK)],
    "TokenAndPositionEmbedding": [Case(lambda: attention.TokenAndPositionEmbedding(
        9, 5, 2, mask_zero=True, embeddings_initializer="glorot_uniform"), _ids)],
    "TransformerEncoder": [Case(lambda: attention.TransformerEncoder(5, 2, dropout=0.3), _seq,
                                MASK),
                           Case(lambda: attention.TransformerEncoder(
                               4, 3, activation="tanh", normalize_first=True), _seq, MASK)],
    "RNN": [Case(lambda: nnkit.SimpleRNN(2, return_sequences=True, go_backwards=True,
                                         dropout=0.3, recurrent_dropout=0.3), _seq, MASK)],
    "LSTM": [Case(lambda: nnkit.LSTM(2, return_state=True, dropout=0.3), _seq, MASK)],
    "GRU": [Case(lambda: nnkit.GRU(2, return_sequences=True, recurrent_dropout=0.3), _seq, MASK),
            Case(lambda: nnkit.GRU(2, reset_after=False, go_backwards=True), _seq, MASK)],
    "StackedCells": [Case(lambda: nnkit.StackedCells(D, [2, 2], celltype=["rnn", "lstm"],
                                                     dropout=0.3), _seq, MASK)],
    "Bidirectional": [Case(lambda: nnkit.Bidirectional(nnkit.LSTM(2, return_sequences=True)),
                           _seq, MASK),
                      Case(lambda: nnkit.Bidirectional(nnkit.GRU(2, return_state=True),
                                                       merge_mode=None), _seq, MASK)],
    "TimeDistributed": [Case(lambda: nnkit.TimeDistributed(nnkit.Dense(2)), _seq, MASK),
                        Case(lambda: nnkit.TimeDistributed(nnkit.Conv1D(2, 2)),
                             lambda: _normal(2, 3, 4, 2))],
    "Sequential": [Case(lambda: _compiled(nnkit.Sequential([
        nnkit.Embedding(9, 2, mask_zero=True, input_shape=(T,)), nnkit.LSTM(2),
        nnkit.Dense(2)])), _ids, y=lambda: _normal(N, 2))],
    "Functional": [Case(_graph_model, lambda: [_seq(0), _seq(1)], y=lambda: _normal(N, 2))],
    # cells
    "RNNCell": [Case(lambda: nnkit.RNN(nnkit.layers.recurrent.RNNCell(2, "relu")), _seq, MASK)],
    "LSTMCell": [Case(lambda: nnkit.RNN(nnkit.layers.recurrent.LSTMCell(2),
                                        return_sequences=True), _seq, MASK)],
    "GRUCell": [Case(lambda: nnkit.RNN(nnkit.layers.recurrent.GRUCell(2, reset_after=False)),
                     _seq, MASK)],
    "GatedInput": [Case(lambda: nnkit.StackedCells(D, [2, 2], celltype=["gated_input", "gru"]),
                        _seq, MASK)],
}


def _registered():
    """Names of the layer and cell classes nnkit itself registers (aliases collapse onto
    their class; classes that tests register for themselves are left out)."""
    classes = {registry.get(name) for registry in (LAYERS, CELLS) for name in registry.names()}
    return {cls.__name__ for cls in classes if cls.__module__.startswith("nnkit.")}


def _cases(name):
    """The check cases of ``name``; fails on a registered class without one, or a stale entry."""
    if name not in CASES:
        pytest.fail(f"{name} is registered but has no check case: add a check case to "
                    f"tests/test_every_layer.py")
    if name not in _registered():
        pytest.fail(f"CASES names {name}, which nnkit does not register (a stale entry)")
    return CASES[name]


def _as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _float_inputs(x):
    return sum(np.asarray(value).dtype.kind == "f" for value in _as_list(x))


NAMES = sorted(_registered() | set(CASES))


@pytest.mark.parametrize("name", NAMES)
def test_gradients(name, float64):
    """The backward pass matches central differences for every parameter and float input."""
    for case in _cases(name):
        target, x = case.make(), case.x()
        if case.y is None:
            errors = check_gradients(target, x, mask=case.mask, atol=case.atol)
            params = {key for key in target.params if key not in target.non_trainable_keys}
            inputs = _float_inputs(x)
        else:
            errors = check_gradients(target, x, case.y(), check_inputs=case.check_inputs,
                                     atol=case.atol)
            params = set(target.named_parameters())
            inputs = _float_inputs(x) if case.check_inputs else 0
        checked_inputs = {key for key in errors if key == "x" or key.startswith("x[")}
        assert len(checked_inputs) == inputs, (name, sorted(errors))
        assert set(errors) - checked_inputs == params, (name, sorted(errors))


def _json(config):
    return json.loads(json.dumps(config))


@pytest.mark.parametrize("name", NAMES)
def test_config_round_trip(name, float64):
    """``from_config(get_config())`` (through JSON) rebuilds the same config and, given the
    same weights, computes the same outputs."""
    for case in _cases(name):
        layer, x = case.make(), case.x()
        nnkit.set_seed(0)
        expected = _as_list(layer(x, mask=case.mask))
        config = _json(layer.get_config())
        clone = LAYERS.get(type(layer).__name__).from_config(config)
        assert type(clone) is type(layer)
        assert _json(clone.get_config()) == config
        nnkit.set_seed(1)
        clone(x, mask=case.mask)
        clone.set_weights(layer.get_weights())
        for a, b in zip(expected, _as_list(clone(x, mask=case.mask)), strict=True):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
