"""Keras model configs (Keras 3 and Keras 2 / tf-keras) → nnkit model configs.

The Keras config is JSON; nothing in it is imported or evaluated. Each layer's
class must be in ``catalogue.LAYER_CLASSES``; each argument is passed to the
nnkit class, or checked against ``catalogue``'s table of Keras-only arguments;
anything else is a ``CheckpointError`` naming the layer. Keras 2's forms
(``batch_input_shape``, ``[[layer, node, tensor, kwargs]]`` inbound nodes,
``time_major``/``implementation``, Bidirectional without ``backward_layer``)
and Keras 3's (``__keras_tensor__`` node arguments, dtype policies,
``__tuple__`` values, mask operations recorded as nodes) are both read.
"""
import inspect

from nnkit import initializers
from nnkit.errors import CheckpointError, NnkitError
from nnkit.saving import keras_catalogue as catalogue
from nnkit.layers.merge.base import Merge
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
    """Keras arguments nnkit class ``cls`` takes: its constructor's, the Layer base's
    (``name``, ``input_shape``, ``trainable``) and its weight options (``kernel_regularizer``...)."""
    from nnkit.layers.base import Layer
    names = set()
    for klass in (cls, Layer) if issubclass(cls, Layer) else (cls,):
        names |= {p.name for p in inspect.signature(klass.__init__).parameters.values()
                  if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}
    names |= {f"{weight}_{kind}" for weight in getattr(cls, "regularizable", ())
              for kind in ("regularizer", "constraint")}
    return names - {"self"}


def _shape_argument(config):
    """The example shape from ``batch_shape``/``batch_input_shape`` (batch axis dropped)."""
    for key in ("batch_shape", "batch_input_shape"):
        if config.get(key) is not None:
            return list(config[key])[1:]
    return config.get("shape", config.get("input_shape"))


def layer_spec(spec, where="model", inside_bidirectional=False):
    """One Keras layer spec ``{"class_name", "config"}`` → nnkit's ``{"class_name", "config"}``."""
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
        if key in accepted and key.endswith("_initializer"):
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
    return {"class_name": nnkit_name, "config": out}


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
    operations = {layer.get("name") for layer in config["layers"]
                  if isinstance(layer, dict) and _is_mask_operation(layer)}
    layers = []
    for layer in config["layers"]:
        if not isinstance(layer, dict) or layer.get("name") in operations:
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
        if any(_tensor_ref(arg, where) is not None for arg in args[1:]):
            refuse(where, "a call with several tensor arguments is not read")
        refs = [_tensor_ref(tensor, where) for tensor in tensors]
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
    return {"inputs": refs, "multiple_inputs": multiple, "kwargs": {}}


def _tensor_ref(value, where):
    if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        history = (value.get("config") or {}).get("keras_history")
        if not _is_ref(history):
            refuse(where, f"malformed keras_history {history!r}")
        return history[:3]
    return None

