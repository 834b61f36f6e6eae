"""Keras model configs (Keras 3 and Keras 2 / tf-keras) → nnkit model configs.

The Keras config is JSON; nothing in it is imported or evaluated. Each layer's
class must be in ``catalogue.LAYER_CLASSES``; each argument is passed to the
nnkit class, or checked against ``catalogue``'s table of Keras-only arguments;
anything else is a ``CheckpointError`` naming the layer. Keras 2's forms
(``batch_input_shape``, ``[[layer, node, tensor, kwargs]]`` inbound nodes,
``time_major``/``implementation``, Bidirectional without ``backward_layer``)
and Keras 3's (``__keras_tensor__`` node arguments, dtype policies,
``__tuple__`` values, mask operations recorded as nodes) are both read. Keras 3's op nodes
(``x + y``, ``ops.mean``) become nnkit op nodes (``keras_op_nodes``); a Lambda loads only by
its function's registered name (``keras_lambda``).
"""
import inspect

from nnkit import initializers
from nnkit.errors import CheckpointError, InvalidArgumentError, NnkitError
from nnkit.saving import keras_catalogue as catalogue, keras_lambda, keras_op_nodes as op_nodes
from nnkit.layers.merge.base import Merge
from nnkit.layers.preprocessing.text_rules import TEXT_FUNCTIONS
from nnkit.layers.recurrent.state_inputs import StateInputs
from nnkit.registry import LAYERS

MODEL_CLASSES = ("Sequential", "Functional", "Model")


def refuse(where, message):
    raise CheckpointError(f"Keras file: {where}: {message}")


def plain(value, where):
    """``value`` with Keras 3's wrappers removed (``__tuple__`` → list, ``module`` keys dropped);
    serialized code (``__lambda__``, a ``function`` object) is refused."""
    if isinstance(value, list):
        return [plain(item, where) for item in value]
    if not isinstance(value, dict):
        return value
    name = value.get("class_name")
    if name in catalogue.CODE_LAYERS or name == "function" or \
            value.get("registered_name") == "function":
        refuse(where, f"holds serialized code ({name!r}); nnkit never runs code from a file")
    if name == "__tuple__":
        return plain((value.get("config") or {}).get("value", []), where)
    if name is not None and set(value) <= {"module", "class_name", "config", "registered_name",
                                           "shared_object_id", "build_config",
                                           "compile_config"}:
        return {"class_name": name, "config": plain(value.get("config") or {}, where)}
    return {key: plain(item, where) for key, item in value.items()
            if key not in ("registered_name", "shared_object_id")}


def _initializer(spec, where, argument):
    """A Keras initializer (a name, or ``{"class_name", "config"}`` with the wrappers removed)
    → what an nnkit config stores; one nnkit cannot read is refused."""
    if isinstance(spec, dict):
        options = dict(spec.get("config") or {})
        for key, allowed in catalogue.INITIALIZER_KERAS_ONLY.items():
            if key in options and options.pop(key) not in allowed:
                refuse(where, f"{argument}: {key}={spec['config'][key]!r} is not supported "
                              f"by nnkit (it computes {key}={allowed[0]!r})")
        spec = {"class_name": spec.get("class_name"), "config": options}
    try:
        return initializers.serialize(initializers.get(spec))
    except (NnkitError, TypeError, ValueError) as error:
        refuse(where, f"{argument}={spec!r} is not an initializer nnkit reads ({error})")


def accepted_arguments(cls):
    """Keras arguments nnkit class ``cls`` takes: its constructor's, its layer bases' (``name``,
    ``input_shape``, ``trainable``; a recurrent layer's ``stateful``) and its weight options
    (``kernel_regularizer``...)."""
    from nnkit.layers.base import Layer
    names = set()
    for klass in _constructors(cls) if issubclass(cls, Layer) else (cls,):
        names |= {p.name for p in inspect.signature(klass.__init__).parameters.values()
                  if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}
    names |= {f"{weight}_{kind}" for weight in getattr(cls, "regularizable", ())
              for kind in ("regularizer", "constraint")}
    return names - {"self"}


def _constructors(cls):
    """The layer classes whose ``__init__`` receives arguments given to ``cls``: its own, then
    its bases' while each passes on ``**kwargs`` (always ending at ``Layer``)."""
    from nnkit.layers.base import Layer
    found = []
    for klass in [k for k in cls.__mro__ if issubclass(k, Layer) and "__init__" in vars(k)]:
        found.append(klass)
        parameters = inspect.signature(klass.__init__).parameters.values()
        if not any(p.kind == p.VAR_KEYWORD for p in parameters):
            break
    return found if Layer in found else found + [Layer]


def _shape_argument(config):
    """The example shape from ``batch_shape``/``batch_input_shape`` (batch axis dropped)."""
    for key in ("batch_shape", "batch_input_shape"):
        if config.get(key) is not None:
            return list(config[key])[1:]
    return config.get("shape", config.get("input_shape"))


def _text_rules(spec, where):
    """A TextVectorization's custom ``standardize``/``split``: Keras writes a registered
    function as ``{"class_name": "function", "config": "<package>><name>"}``; nnkit takes the
    function registered under that name (``register_text_function``), never code from the
    file. Returns the spec with them set aside, and ``{argument: rule}``."""
    if not isinstance(spec, dict) or spec.get("class_name") != "TextVectorization":
        return spec, {}
    config, rules = dict(spec.get("config") or {}), {}
    for key in ("standardize", "split"):
        value = config.get(key)
        if isinstance(value, dict):
            name = value.get("config")
            try:
                if value.get("class_name") != "function":
                    raise InvalidArgumentError(f"{value.get('class_name')!r} is not a function")
                TEXT_FUNCTIONS.get(name)
            except InvalidArgumentError:
                refuse(f"layer {config.get('name', '?')!r} (TextVectorization)",
                       f"{key}={name!r} is a custom function nnkit does not have; register "
                       f"one under that name with @nnkit.layers.register_text_function()")
            rules[key], config[key] = {"class_name": "function", "config": name}, None
    return {**spec, "config": config}, rules


def layer_spec(spec, where="model", inside_bidirectional=False):
    """One Keras layer spec ``{"class_name", "config"}`` → nnkit's ``{"class_name", "config"}``."""
    if isinstance(spec, dict) and spec.get("class_name") == "Lambda":
        return keras_lambda.lambda_spec(spec)
    spec, text_rules = _text_rules(spec, where)
    spec = plain(spec, where)
    keras_class = spec.get("class_name")
    config = dict(spec.get("config") or {})
    where = f"layer {config.get('name', '?')!r} ({keras_class})"
    if keras_class in MODEL_CLASSES:
        return model_spec(spec)
    if keras_class == "RNN":
        return _rnn_of_cell(config, where)
    if keras_class not in catalogue.LAYER_CLASSES:
        what = "stores code" if keras_class in catalogue.CODE_LAYERS else "has no nnkit equivalent"
        refuse(where, f"Keras class {keras_class!r} {what}; nnkit reads "
                      f"{sorted(catalogue.LAYER_CLASSES) + ['RNN']}")
    nnkit_name = catalogue.LAYER_CLASSES[keras_class][0]
    accepted = accepted_arguments(LAYERS.get(nnkit_name))
    keras_only = catalogue.keras_only_arguments(keras_class)
    if inside_bidirectional:
        keras_only["zero_output_for_mask"] = catalogue.ANY
    out = {}
    shape = _shape_argument(config)
    for key in ("batch_shape", "batch_input_shape", "shape", "input_shape"):
        config.pop(key, None)
    if shape is not None:
        out["shape" if nnkit_name == "InputLayer" else "input_shape"] = shape
    for key, value in config.items():
        if key in ("layer", "backward_layer") and keras_class in ("Bidirectional",
                                                                 "TimeDistributed"):
            continue
        if key in accepted and key.endswith("initializer"):     # PositionEmbedding's too
            out[key] = _initializer(value, where, key)
        elif key in accepted:
            out[key] = value
        elif key in keras_only:
            allowed = keras_only[key]
            if allowed is not catalogue.ANY and value not in allowed:
                refuse(where, f"argument {key}={value!r} is not supported by nnkit "
                              f"(it computes {key}={allowed[0]!r})")
        elif key != "name" or nnkit_name != "InputLayer":
            refuse(where, f"argument {key!r} (= {value!r}) is not one nnkit reads")
    if keras_class == "BatchNormalization" and isinstance(out.get("axis"), list) and \
            len(out["axis"]) == 1:                   # Keras 2 stores the axis as a list
        out["axis"] = out["axis"][0]
    if keras_class in ("Bidirectional", "TimeDistributed"):
        out["layer"] = layer_spec(config["layer"], where,
                                  inside_bidirectional=keras_class == "Bidirectional")
    if keras_class == "Bidirectional":
        _check_backward_mirrors_forward(config, where)
    if "name" in config:
        out["name"] = config["name"]
    return {"class_name": nnkit_name, "config": {**out, **text_rules}}


def _check_backward_mirrors_forward(config, where):
    """nnkit's Bidirectional runs a mirror of ``layer``; a different ``backward_layer`` is refused."""
    backward = config.get("backward_layer")
    if not isinstance(backward, dict):
        return
    ignored = ("name", "go_backwards", "zero_output_for_mask")
    forward = {k: v for k, v in (config["layer"].get("config") or {}).items() if k not in ignored}
    other = {k: v for k, v in (backward.get("config") or {}).items() if k not in ignored}
    differing = sorted(k for k in set(forward) | set(other) if forward.get(k) != other.get(k)
                       and not k.endswith("initializer"))
    if backward.get("class_name") != config["layer"].get("class_name") or differing:
        refuse(where, f"backward_layer differs from layer in {differing or ['class']}; nnkit's "
                      f"Bidirectional runs the same layer both ways")


def _rnn_of_cell(config, where):
    """Keras's ``RNN(cell=LSTMCell(...))`` → the nnkit layer of that cell."""
    cell = config.pop("cell", None)
    if not isinstance(cell, dict) or cell.get("class_name") not in catalogue.CELL_CLASSES:
        refuse(where, f"RNN of cell {cell.get('class_name') if isinstance(cell, dict) else cell!r}"
                      f" is not read; nnkit reads cells {sorted(catalogue.CELL_CLASSES)}")
    merged = {**{k: v for k, v in (cell.get("config") or {}).items() if k != "name"}, **config}
    return layer_spec({"class_name": catalogue.CELL_CLASSES[cell["class_name"]],
                       "config": merged}, where)


# ---- models ---------------------------------------------------------------------------
def model_spec(spec):
    """A Keras ``Sequential``/``Functional`` spec → nnkit's ``{"class_name", "config"}``."""
    if not isinstance(spec, dict) or spec.get("class_name") not in MODEL_CLASSES or \
            not isinstance(spec.get("config"), dict):
        refuse("model", f"the config names {spec.get('class_name') if isinstance(spec, dict) else spec!r}"
                        f", not one of {MODEL_CLASSES}")
    config = spec["config"]
    if not isinstance(config.get("layers"), list):
        refuse("model", "the model config lists no layers")
    if spec["class_name"] == "Sequential":
        return {"class_name": "Sequential", "config": _sequential(config)}
    return {"class_name": "Functional", "config": _functional(config)}


def _sequential(config):
    layers = list(config["layers"])
    shape = config.get("build_input_shape")
    shape = None if shape is None else list(shape)[1:]
    if layers and isinstance(layers[0], dict) and layers[0].get("class_name") == "InputLayer":
        shape = _shape_argument(layers.pop(0).get("config") or {})
    converted = [layer_spec(layer) for layer in layers]
    if shape is None and converted:
        shape = converted[0]["config"].get("input_shape")
    return {"name": config.get("name", "sequential"), "layers": converted,
            "build_input_shape": shape}


def _is_mask_operation(layer):
    """A Keras 3 mask operation: its module (``.keras``) or, in legacy ``.h5`` configs that
    store no module, a config holding nothing but its name (layers hold their arguments)."""
    config = layer.get("config")
    return layer.get("class_name") in catalogue.MASK_OPERATIONS and (
        str(layer.get("module", "")).startswith("keras.src.ops") or
        ("module" not in layer and isinstance(config, dict) and set(config) <= {"name"}))


def _functional(config):
    computed = op_nodes.data_operations(config)
    operations = {layer.get("name") for layer in config["layers"] if isinstance(layer, dict)
                  and _is_mask_operation(layer) and layer.get("name") not in computed}
    layers = []
    for layer in config["layers"]:
        if not isinstance(layer, dict) or layer.get("name") in operations:
            continue
        if op_nodes.is_op_node(layer):
            layers.append(op_nodes.op_layer(layer))
            continue
        converted = layer_spec(layer)
        name = layer.get("name", converted["config"].get("name"))
        nodes = [_node(node, name, operations, converted["class_name"])
                 for node in layer.get("inbound_nodes") or []]
        layers.append({"class_name": converted["class_name"], "name": name,
                       "config": converted["config"], "inbound_nodes": nodes})
    out = {"name": config.get("name", "model"), "layers": layers}
    for key, kind_key in (("input_layers", "input_keys"), ("output_layers", "output_keys")):
        refs = config.get(key)
        if _is_ref(refs):
            out[key] = [refs[:3]]
            if key == "output_layers":
                out["single_output"] = True
        elif isinstance(refs, dict):
            out[kind_key] = list(refs)
            out[key] = [ref[:3] for ref in refs.values()]
        elif isinstance(refs, list) and all(_is_ref(ref) for ref in refs):
            out[key] = [ref[:3] for ref in refs]
        else:
            refuse("model", f"{key} must be tensor references, found {refs!r}")
    return out


def _is_ref(value):
    return isinstance(value, list) and len(value) >= 3 and isinstance(value[0], str) and \
        all(isinstance(i, int) for i in value[1:3])


def _node(node, layer_name, operations, nnkit_class):
    """One inbound node (Keras 3 ``{"args", "kwargs"}`` or Keras 2 ``[[name, n, t, kw], ...]``)."""
    where = f"layer {layer_name!r}"
    if isinstance(node, dict):
        args, kwargs = node.get("args") or [], dict(node.get("kwargs") or {})
        if not args:
            refuse(where, "an inbound node has no inputs")
        first = args[0]
        multiple = isinstance(first, list)
        tensors = first if multiple else [first]
        attention_flags = {}
        if nnkit_class == "MultiHeadAttention":
            tensors, attention_flags = _attention_inputs(args, kwargs, where)
            args, multiple = args[:1], True
        initial_state = kwargs.pop("initial_state", None)
        if initial_state is None and len(args) > 1 and \
                issubclass(LAYERS.get(nnkit_class), StateInputs):
            initial_state = args[1]                # RNN.call(sequences, initial_state)
            args = args[:1]
        if any(_tensor_ref(arg, where) is not None for arg in args[1:]):
            refuse(where, "a call with several tensor arguments is not read")
        if initial_state is not None:      # the call [x, *states], x's mask unused as Keras 3
            if multiple:
                refuse(where, "a recurrent call with a list input and initial_state is not read")
            tensors = [first, *(initial_state if isinstance(initial_state, list)
                                else [initial_state])]
            multiple = True
        refs = [_tensor_ref(tensor, where) for tensor in tensors]
        recorded = {"apply_mask": False} if initial_state is not None else attention_flags
    else:
        if not isinstance(node, list) or not node:
            refuse(where, f"malformed inbound node {node!r}")
        refs, kwargs = [], {}
        for entry in node:
            if not _is_ref(entry):
                refuse(where, f"malformed inbound node entry {entry!r}")
            refs.append(entry[:3])
            if len(entry) > 3 and isinstance(entry[3], dict):
                kwargs.update(entry[3])
        multiple = len(refs) > 1 or issubclass(LAYERS.get(nnkit_class), Merge)
        recorded = {}
    if any(ref is None for ref in refs):
        refuse(where, "an inbound node argument is not a tensor")
    if any(ref[0] in operations for ref in refs):
        refuse(where, "takes a Keras operation's output as input; nnkit reads layers only")
    mask = kwargs.pop("mask", None)
    kwargs.pop("training", None)
    if mask is not None and any(_tensor_ref(m, where) is None or
                                _tensor_ref(m, where)[0] not in operations
                                for m in (mask if isinstance(mask, list) else [mask])
                                if m is not None):
        refuse(where, "is given an explicit mask tensor; nnkit propagates masks from layers")
    if kwargs:
        refuse(where, f"call arguments {sorted(kwargs)} are not read")
    return {"inputs": refs, "multiple_inputs": multiple, "kwargs": recorded}


#: MultiHeadAttention's tensor arguments, in the order of nnkit's input list
_ATTENTION_TENSORS = ("query", "value", "key", "attention_mask")


def _attention_inputs(args, kwargs, where):
    """MultiHeadAttention's call ``(query, value, key=None, ..., attention_mask=None, ...)``
    (or nnkit's ``([query, value, ...], ...)``) →
    nnkit's inputs ``[query, value(, key(, attention_mask))]`` (the key is the value when only
    an attention mask follows) and the flags nnkit records (``use_causal_mask``,
    ``return_attention_scores``), popped from ``kwargs``. Explicit query/value/key masks stay
    in ``kwargs`` and are refused: nnkit takes them from the tensors, as Keras does."""
    if isinstance(args[0], list):                      # nnkit's own form: one list
        given = dict(zip(_ATTENTION_TENSORS, args[0]))
    elif len(args) > 3:
        refuse(where, "positional query/value/key masks are not read")
    else:
        given = dict(zip(_ATTENTION_TENSORS, args))
    given.update({name: kwargs.pop(name) for name in _ATTENTION_TENSORS if name in kwargs})
    if given.get("value") is None:
        refuse(where, "a MultiHeadAttention call without a value tensor")
    if given.get("attention_mask") is not None and given.get("key") is None:
        given["key"] = given["value"]
    flags = {name: True for name in ("use_causal_mask", "return_attention_scores")
             if kwargs.pop(name, False)}
    return [given[name] for name in _ATTENTION_TENSORS if given.get(name) is not None], flags


def _tensor_ref(value, where):
    if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        history = (value.get("config") or {}).get("keras_history")
        if not _is_ref(history):
            refuse(where, f"malformed keras_history {history!r}")
        return history[:3]
    return None

