"""Every registered layer checks its constructor arguments (issue 27, "Layer arguments").

The sweep enumerates ``nnkit.registry.LAYERS`` (models excluded). ``ENTRIES``
gives each class a valid construction, an input for it, and the kind of each
numeric argument; a kind says, independently of nnkit, which values are
valid. Every boolean-default argument is swept as a flag without an entry. For
every value tried (the fixed bad values of the issue, then Hypothesis's), the
layer either refuses it with an ``NnkitError`` naming its class and the
argument, or the value is valid: construction works, the config records the
value, and a training forward pass on a small input runs (an axis or a size
that does not fit that input may be refused at the call, naming the layer).

A newly registered layer fails ``test_every_registered_layer_has_an_entry``,
naming itself, until it has an entry; so does a new numeric argument.
"""
import inspect
import math
import numbers
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import nnkit
from nnkit.errors import NnkitError
from nnkit.registry import CELLS, LAYERS

_RNG = np.random.default_rng(0)
VEC = _RNG.normal(size=(2, 6))
SEQ = _RNG.normal(size=(2, 12, 6))
IMG = _RNG.normal(size=(2, 8, 8, 3))


# ---- what each kind of argument accepts, written plainly ---------------------------------
def _int(value, low=None):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and \
        (low is None or value >= low)


def _finite(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and \
        math.isfinite(value)


def _ints(value, length=None, low=1):
    """An int (standing for ``length`` of them) or a non-empty list/tuple of ``length`` ints."""
    if _int(value):
        return _int(value, low)
    return isinstance(value, (list, tuple)) and len(value) > 0 and \
        (length is None or len(value) == length) and all(_int(v, low) for v in value)


def _as_list(value, length=1):
    return [value] * length if _int(value) else list(value)


@dataclass(frozen=True)
class Kind:
    """Which values an argument takes.

    Attributes:
        accepts: whether a value is valid.
        stored: the value the config records for a valid value.
        call_may_refuse: a valid value may still not fit the test's input (an axis, a
            size): the call may then raise an NnkitError naming the layer.
    """

    accepts: Callable[[Any], bool]
    stored: Callable[[Any], Any] = lambda value: value
    call_may_refuse: bool = False


POSITIVE_INT = Kind(lambda v: _int(v, 1))
OPTIONAL_POSITIVE_INT = Kind(lambda v: v is None or _int(v, 1))
RATE = Kind(lambda v: _finite(v) and 0 <= v < 1)
NON_NEGATIVE = Kind(lambda v: _finite(v) and v >= 0)
OPTIONAL_NON_NEGATIVE = Kind(lambda v: v is None or (_finite(v) and v >= 0))
FRACTION = Kind(lambda v: _finite(v) and 0 <= v <= 1)
REAL = Kind(_finite)
FLAG = Kind(lambda v: isinstance(v, bool) or (_int(v) and v in (0, 1)),
            stored=lambda v: bool(v))
OPTIONAL_FLAG = Kind(lambda v: v is None or FLAG.accepts(v), stored=lambda v: bool(v))
AXIS = Kind(_int, call_may_refuse=True)
NON_BATCH_AXIS = Kind(lambda v: _int(v) and v != 0, call_may_refuse=True)
AXES = Kind(lambda v: _ints(v, low=None) and len(set(_as_list(v))) == len(_as_list(v)),
            stored=lambda v: v if _int(v) else list(v), call_may_refuse=True)
LIST_OF_AXES = Kind(lambda v: _ints(v, low=None), stored=lambda v: v if _int(v) else list(v),
                    call_may_refuse=True)
PAIR_OF_NON_BATCH_AXES = Kind(lambda v: _ints(v, 2, low=None) and 0 not in _as_list(v),
                              stored=lambda v: v if _int(v) else list(v),
                              call_may_refuse=True)
SHARED_AXES = Kind(lambda v: v is None or v in ([], ()) or _ints(v, low=1),
                   stored=lambda v: None if v is None else _as_list(v), call_may_refuse=True)
SHAPE = Kind(lambda v: isinstance(v, (list, tuple)) and all(s is None or _int(s, 1) for s in v),
             stored=list, call_may_refuse=True)          # () is valid; layers need rank >= 2
PERMUTATION = Kind(lambda v: _ints(v) and sorted(_as_list(v)) == list(range(1, len(
    _as_list(v)) + 1)), stored=_as_list)
TARGET_SHAPE = Kind(lambda v: _ints(v, low=-1) and 0 not in _as_list(v)
                    and _as_list(v).count(-1) <= 1, stored=_as_list, call_may_refuse=True)
SIZES = Kind(lambda v: _ints(v), stored=_as_list)


def sizes(length, low=1, none_means=None):
    """An int or a list of ``length`` ints >= ``low``; None too when ``none_means`` gives the
    value None stands for."""
    return Kind(lambda v: (none_means is not None and v is None) or _ints(v, length, low),
                stored=lambda v: _as_list(none_means if v is None else v, length))


# ---- one entry per registered layer --------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    """A valid construction (``base()``: fresh keyword arguments), an input for a built layer
    (``x(layer)``), and the kind of each numeric argument (flags are found by signature)."""

    base: Callable[[], dict]
    x: Callable[[Any], Any]
    numeric: dict = field(default_factory=dict)


def _fixed(array):
    return lambda layer: array


_PAIR = _fixed([VEC, VEC])
_RECURRENT = {"units": POSITIVE_INT, "dropout": RATE, "recurrent_dropout": RATE}
#: strides None: the pool size (the default, 2)
_POOL_1D = {"pool_size": sizes(1), "strides": sizes(1, none_means=2)}
_POOL_2D = {"pool_size": sizes(2), "strides": sizes(2, none_means=2)}

#: a size the test input may not fit (a sequence longer than the table, more heads than features)
_LENGTH = Kind(lambda v: _int(v, 1), call_may_refuse=True)
IDS = _RNG.integers(0, 1, size=(2, 12))      # id 0 fits any vocabulary
#: flags the lookup layers' base construction (int mode, no max_tokens) can only take as False:
#: True needs another argument (output_mode, max_tokens), and the refusal names the flag
_OFF_ONLY = Kind(lambda v: v is False or (_int(v) and v == 0), stored=bool)
_LOOKUP_FLAGS = {"sparse": _OFF_ONLY, "pad_to_max_tokens": _OFF_ONLY}
def _max_tokens(entries):
    """max_tokens for a base vocabulary of ``entries`` (padding and OOV tokens counted)."""
    return Kind(lambda v: v is None or (_int(v) and v >= entries))


_MAX_TOKENS = _max_tokens(4)     # IntegerLookup [1, 2, 3] + OOV; TextVectorization "", OOV, a, b     # > 1, and the vocabulary's
_OOV_INDICES = Kind(lambda v: _int(v, 0), call_may_refuse=True)   # 0: unknown ids refused
ENTRIES = {
    "Activation": Entry(lambda: {"activation": "relu"}, _fixed(VEC)),
    **{name: Entry(dict, _PAIR) for name in
       ("Add", "Average", "Maximum", "Minimum", "Multiply", "Subtract")},
    "AveragePooling1D": Entry(dict, _fixed(SEQ), _POOL_1D),
    "MaxPooling1D": Entry(dict, _fixed(SEQ), _POOL_1D),
    "AveragePooling2D": Entry(dict, _fixed(IMG), _POOL_2D),
    "MaxPooling2D": Entry(dict, _fixed(IMG), _POOL_2D),
    "BatchNormalization": Entry(dict, _fixed(VEC), {"axis": AXIS, "momentum": FRACTION,
                                                    "epsilon": NON_NEGATIVE}),
    "Bidirectional": Entry(lambda: {"layer": nnkit.LSTM(2)}, _fixed(SEQ)),
    "Concatenate": Entry(dict, _PAIR, {"axis": NON_BATCH_AXIS}),
    "Conv1D": Entry(lambda: {"filters": 2, "kernel_size": 3, "padding": "same"}, _fixed(SEQ),
                    {"filters": POSITIVE_INT, "kernel_size": sizes(1), "strides": sizes(1),
                     "dilation_rate": sizes(1)}),
    "Conv2D": Entry(lambda: {"filters": 2, "kernel_size": 3, "padding": "same"}, _fixed(IMG),
                    {"filters": POSITIVE_INT, "kernel_size": sizes(2), "strides": sizes(2),
                     "dilation_rate": sizes(2)}),
    "Cropping1D": Entry(dict, _fixed(SEQ), {"cropping": sizes(2, low=0)}),
    "Dense": Entry(lambda: {"units": 3}, _fixed(VEC), {"units": POSITIVE_INT}),
    "Dot": Entry(lambda: {"axes": 1}, _PAIR, {"axes": PAIR_OF_NON_BATCH_AXES}),
    "Dropout": Entry(lambda: {"rate": 0.5}, _fixed(VEC), {"rate": RATE}),
    "SpatialDropout1D": Entry(lambda: {"rate": 0.5}, _fixed(SEQ), {"rate": RATE}),
    "ELU": Entry(dict, _fixed(VEC), {"alpha": REAL}),
    "Embedding": Entry(lambda: {"input_dim": 10, "output_dim": 4},
                       _fixed(np.zeros((2, 5), "int32")),
                       {"input_dim": POSITIVE_INT, "output_dim": POSITIVE_INT}),
    "Flatten": Entry(dict, _fixed(IMG)),
    "GlobalAveragePooling1D": Entry(dict, _fixed(SEQ)),
    "GlobalMaxPooling1D": Entry(dict, _fixed(SEQ)),
    "GlobalAveragePooling2D": Entry(dict, _fixed(IMG)),
    "GlobalMaxPooling2D": Entry(dict, _fixed(IMG)),
    "GRU": Entry(lambda: {"units": 2}, _fixed(SEQ), _RECURRENT),
    "LSTM": Entry(lambda: {"units": 2}, _fixed(SEQ), _RECURRENT),
    "RNN": Entry(lambda: {"units": 2}, _fixed(SEQ), _RECURRENT),
    "InputLayer": Entry(lambda: {"shape": (3,)},
                        lambda layer: np.ones((2,) + tuple(s or 2 for s in layer.shape)),
                        {"shape": SHAPE, "batch_size": OPTIONAL_POSITIVE_INT,
                         "sparse": OPTIONAL_FLAG}),
    "Lambda": Entry(lambda: {"function": lambda x: 2 * x}, _fixed(VEC)),
    "PositionEmbedding": Entry(lambda: {"sequence_length": 16}, _fixed(SEQ),
                               {"sequence_length": _LENGTH}),
    "TokenAndPositionEmbedding": Entry(
        lambda: {"vocabulary_size": 9, "sequence_length": 16, "embedding_dim": 3},
        _fixed(IDS), {"vocabulary_size": _LENGTH, "sequence_length": _LENGTH,
                      "embedding_dim": POSITIVE_INT,
                      "tie_weights": Kind(lambda v: v is True)}),   # nnkit ties only
    "TransformerEncoder": Entry(lambda: {"intermediate_dim": 4, "num_heads": 2}, _fixed(SEQ),
                                {"intermediate_dim": POSITIVE_INT, "num_heads": _LENGTH,
                                 "dropout": RATE, "layer_norm_epsilon": NON_NEGATIVE}),
    "Rescaling": Entry(lambda: {"scale": 0.5}, _fixed(VEC), {"scale": REAL, "offset": REAL}),
    "OpLayer": Entry(lambda: {"op": nnkit.ops.elementwise.Add(),
                              "template": [["tensor", 0], ["constant", 1.0]]}, _fixed(VEC)),
    "LayerNormalization": Entry(dict, _fixed(VEC), {"axis": LIST_OF_AXES,
                                                    "epsilon": NON_NEGATIVE}),
    "LeakyReLU": Entry(dict, _fixed(VEC), {"negative_slope": NON_NEGATIVE}),
    "ReLU": Entry(dict, _fixed(VEC), {"max_value": OPTIONAL_NON_NEGATIVE,
                                      "negative_slope": NON_NEGATIVE,
                                      "threshold": NON_NEGATIVE}),
    "Masking": Entry(dict, _fixed(SEQ), {"mask_value": REAL}),
    "Permute": Entry(lambda: {"dims": (2, 1)},
                     lambda layer: np.ones((2,) + (2,) * len(layer.dims)),
                     {"dims": PERMUTATION}),
    "PReLU": Entry(dict, _fixed(SEQ), {"shared_axes": SHARED_AXES}),
    "RepeatVector": Entry(lambda: {"n": 2}, _fixed(VEC), {"n": POSITIVE_INT}),
    "Reshape": Entry(lambda: {"target_shape": (3, 2)}, _fixed(VEC),
                     {"target_shape": TARGET_SHAPE}),
    "Softmax": Entry(dict, _fixed(SEQ), {"axis": AXES}),
    "StackedCells": Entry(lambda: {"input_size": 6, "layers": [3]},
                          lambda layer: SEQ[..., :1].repeat(layer.input_size, axis=-1),
                          {"input_size": POSITIVE_INT, "layers": SIZES, "dropout": RATE}),
    "TakeTimestep": Entry(lambda: {"index": 0}, _fixed(SEQ), {"index": AXIS}),
    "TimeDistributed": Entry(lambda: {"layer": nnkit.Dense(2)}, _fixed(SEQ)),
    "Attention": Entry(dict, _fixed([SEQ, SEQ]), {"dropout": RATE}),
    "AdditiveAttention": Entry(dict, _fixed([SEQ, SEQ]), {"dropout": RATE}),
    "MultiHeadAttention": Entry(lambda: {"num_heads": 2, "key_dim": 3}, _fixed([SEQ, SEQ]),
                                {"num_heads": POSITIVE_INT, "key_dim": POSITIVE_INT,
                                 "value_dim": Kind(OPTIONAL_POSITIVE_INT.accepts,
                                                   stored=lambda v: 3 if v is None else v),
                                 "dropout": RATE}),
    # Keras's rules: max_tokens None or > 1, num_oov_indices >= 0; a too small max_tokens
    # for the vocabulary is refused at construction, naming the layer (call_may_refuse)
    "IntegerLookup": Entry(lambda: {"vocabulary": [1, 2, 3]},
                           _fixed(np.array([[1, 2], [3, 9]])),
                           {"max_tokens": _MAX_TOKENS, "num_oov_indices": _OOV_INDICES,
                            "oov_token": Kind(lambda v: v is None or _int(v)),
                            **_LOOKUP_FLAGS}),
    "StringLookup": Entry(lambda: {"vocabulary": ["a", "b"]},
                          _fixed(np.array([["a", "b"], ["c", "a"]])),
                          {"max_tokens": _max_tokens(3), **_LOOKUP_FLAGS,     # OOV, a, b
                           # more than 1 OOV index needs TensorFlow's FarmHash (refused by name)
                           "num_oov_indices": Kind(lambda v: _int(v) and v in (0, 1),
                                                   call_may_refuse=True),
                           # invert maps ids back to strings: this input of strings is refused
                           "invert": Kind(FLAG.accepts, stored=bool, call_may_refuse=True)}),
    "TextVectorization": Entry(lambda: {"vocabulary": ["a", "b"]},
                               _fixed(np.array(["a b", "c"])),
                               {"max_tokens": _MAX_TOKENS, **_LOOKUP_FLAGS,
                                "output_sequence_length": OPTIONAL_POSITIVE_INT,
                                "ngrams": Kind(lambda v: v is None or _ints(v),
                                               stored=lambda v: v if v is None or _int(v)
                                               else list(v))}),
    "TopKSoftmax": Entry(lambda: {"k": 2}, _fixed(VEC),
                         {"k": Kind(POSITIVE_INT.accepts, call_may_refuse=True),
                          "axis": NON_BATCH_AXIS}),
}

#: the issue's bad values: zero, negative, a float where an int is needed, NaN, inf, a
#: string, None, a bool (and 1.0 for a rate, 0.0 for an epsilon)
BAD_VALUES = [0, -1, 2.5, 1.0, 0.0, math.nan, math.inf, -math.inf, "3", None, True]
FLAG_VALUES = [True, False, 0, 1, 2, -1, 0.5, math.nan, "False", "yes", None, [True]]


def _layer_classes():
    """``{class name: class}`` of nnkit's registered layers, models excluded."""
    classes = {cls.__name__: cls for cls in map(LAYERS.get, LAYERS.names())}
    return {name: cls for name, cls in sorted(classes.items())
            if cls.__module__.startswith("nnkit.") and not getattr(cls, "is_model", False)}


def _parameters(cls):
    return {name: p for name, p in inspect.signature(cls.__init__).parameters.items()
            if name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}


def _is_number(value):
    return _finite(value) or (isinstance(value, tuple) and value and all(map(_int, value)))


def _flags(cls):
    return [name for name, p in _parameters(cls).items() if isinstance(p.default, bool)]


CLASSES = _layer_classes()
def _cases(pairs):
    return [(name, argument) for name, argument in pairs]


NUMERIC = _cases((name, argument) for name in CLASSES if name in ENTRIES
                 for argument in ENTRIES[name].numeric)
FLAGS = _cases((name, argument) for name in CLASSES if name in ENTRIES
               for argument in _flags(CLASSES[name]) if argument not in ENTRIES[name].numeric)


def test_every_registered_layer_has_an_entry():
    missing = sorted(set(CLASSES) - set(ENTRIES))
    assert not missing, f"add these layers to ENTRIES in {__file__}: {missing}"
    for name, cls in CLASSES.items():
        entry, parameters = ENTRIES[name], _parameters(cls)
        numeric = {arg for arg, p in parameters.items() if _is_number(p.default)}
        assert numeric <= set(entry.numeric), \
            f"{name}: give the kind of {sorted(numeric - set(entry.numeric))} in ENTRIES"
        assert set(entry.numeric) <= set(parameters), f"{name}: no such arguments"
        required = {arg for arg, p in parameters.items() if p.default is p.empty}
        assert required <= set(entry.base()), f"{name}: the base lacks {required}"


def _check(name, argument, value, kind):
    """Refused with a message naming the class and the argument, or valid and working."""
    entry = ENTRIES[name]
    arguments = {**entry.base(), argument: value}
    if not kind.accepts(value):
        with pytest.raises(NnkitError) as caught:
            CLASSES[name](**arguments)
        message = str(caught.value)
        assert name in message and argument in message, message
        return
    layer = CLASSES[name](**arguments)
    stored = layer.get_config()[argument]
    expected = kind.stored(value)
    assert (list(stored) if isinstance(stored, tuple) else stored) == expected, \
        f"{name}({argument}={value!r}) recorded {stored!r}"
    try:
        layer(entry.x(layer), training=True)
    except NnkitError as error:
        if not kind.call_may_refuse:
            raise
        assert layer.name in str(error), str(error)


@pytest.mark.parametrize("name, argument", NUMERIC)
@pytest.mark.parametrize("value", BAD_VALUES, ids=repr)
def test_bad_values_are_refused_by_name(name, argument, value):
    _check(name, argument, value, ENTRIES[name].numeric[argument])


VALUES = st.one_of(
    st.integers(-3, 5),
    st.floats(-4, 4),
    st.sampled_from([math.nan, math.inf, -math.inf, None, True, False, "2", "", b"1", 1 + 2j]),
    st.lists(st.one_of(st.integers(-2, 4), st.none(), st.floats(-2, 3)), max_size=3),
    st.tuples(st.integers(-2, 4), st.integers(-2, 4)),
)


@pytest.mark.parametrize("name, argument", NUMERIC)
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(value=VALUES)
def test_any_value_is_refused_by_name_or_works(name, argument, value):
    _check(name, argument, value, ENTRIES[name].numeric[argument])


@pytest.mark.parametrize("name, argument", FLAGS)
@pytest.mark.parametrize("value", FLAG_VALUES, ids=repr)
def test_flags_take_booleans_only(name, argument, value):
    _check(name, argument, value, FLAG)


@pytest.mark.parametrize("cell", sorted(
    (cls for cls in map(CELLS.get, CELLS.names()) if cls.__module__.startswith("nnkit.")),
    key=lambda cls: cls.__name__), ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("units", [0, -2, 2.5, math.nan, "3", None, True], ids=repr)
def test_cells_refuse_bad_units(cell, units):
    argument = next(iter(_parameters(cell)))
    with pytest.raises(NnkitError, match=f"{cell.__name__}.*{argument} must be"):
        cell(units)
    assert cell(3).units == 3


@pytest.mark.filterwarnings("ignore::UserWarning")      # Keras 3's warning for input_shape
@pytest.mark.parametrize("keyword, value", [
    ("name", 5), ("name", None), ("trainable", "no"), ("trainable", None),
    ("input_shape", (2.5,)), ("input_shape", (0,)), ("input_shape", 3),
    ("input_dim", 2.5), ("input_dim", 0), ("batch_input_shape", (None, -1)),
])
def test_common_keywords_are_checked(keyword, value):
    if keyword == "name" and value is None:          # None: the automatic name
        assert nnkit.Dense(2, name=None).name.startswith("dense")
        return
    with pytest.raises(NnkitError, match=f"Dense.*{keyword}"):
        nnkit.Dense(2, **{keyword: value})


def test_issue_examples():
    """The cases the issue names, each an early error naming the layer and argument."""
    for make, argument in [(lambda: nnkit.Dense(0), "units"),
                           (lambda: nnkit.Embedding(10, 0), "output_dim"),
                           (lambda: nnkit.Dense(2.5), "units"),
                           (lambda: nnkit.Embedding(10.7, 4), "input_dim"),
                           (lambda: nnkit.Dense(-3), "units"),
                           (lambda: nnkit.LSTM(0), "units"),
                           (lambda: nnkit.Conv1D(0, 3), "filters"),
                           (lambda: nnkit.Embedding(-5, 8), "input_dim"),
                           (lambda: nnkit.LayerNormalization(epsilon=-1), "epsilon")]:
        with pytest.raises(nnkit.InvalidArgumentError, match=f"\\({'|'.join(CLASSES)}\\): "
                                                             f"{argument} must be"):
            make()
