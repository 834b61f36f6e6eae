"""Keras's ``Lambda`` layer in ``.keras`` configs, by its function's registered name only.

Keras writes a Lambda's function either as code (``{"class_name": "__lambda__", "config":
{"code": ...}}``, for a Python ``lambda``) or, for a named function, as a reference:
``{"module": ..., "class_name": "function", "config": "<package>><name>", ...}`` (Keras 2:
``"function": "<name>"`` with ``"function_type": "function"``). nnkit reads only references:
the function nnkit runs is the one registered under that name in nnkit
(``@nnkit.saving.register_serializable(package=...)``, or ``load_model(custom_objects=...)``),
written with ``nnkit.ops``. Code, and a name nothing is registered under, are refused with a
``CheckpointError`` naming the layer.
"""
from nnkit.errors import CheckpointError, NnkitError
from nnkit.registry import FUNCTIONS

#: the Lambda config entries nnkit reads (the rest: Keras's dtype policy and Keras 2's keys)
_IGNORED = ("trainable", "dtype", "module", "function_type", "output_shape_type",
            "output_shape_module")


def _refuse(where, message):
    raise CheckpointError(f"Keras file: {where}: {message}")


def _registered_function(value, where, argument, keras2_type=None):
    """The nnkit registry name that ``value`` (Keras's function entry) resolves to."""
    if isinstance(value, dict) and value.get("class_name") == "__lambda__" or \
            keras2_type == "lambda":
        _refuse(where, f"its {argument} is stored as code (a Python lambda); nnkit never runs "
                       f"code from a file: define the function with def, register an nnkit "
                       f"version with @nnkit.saving.register_serializable(), and save again")
    if isinstance(value, dict) and value.get("class_name") == "function":
        value = value.get("config")
    if not isinstance(value, str):
        _refuse(where, f"its {argument} {value!r} is not a function reference nnkit reads")
    for name in (value, value.split(">")[-1]):
        try:
            FUNCTIONS.get(name)
            return name
        except NnkitError:
            continue
    package = value.split(">")[0] if ">" in value else "Custom"
    _refuse(where, f"its {argument} {value!r} is not registered in nnkit; write it with "
                   f"nnkit.ops and register it with @nnkit.saving.register_serializable("
                   f"package={package!r}), or pass custom_objects={{{value!r}: function}} "
                   f"to load_model")


def lambda_spec(spec):
    """A Keras ``Lambda`` spec → nnkit's ``{"class_name": "Lambda", "config"}``."""
    config = dict(spec.get("config") or {})
    where = f"layer {config.get('name', '?')!r} (Lambda)"
    unknown = sorted(set(config) - set(_IGNORED) -
                     {"name", "function", "output_shape", "mask", "arguments"})
    if unknown:
        _refuse(where, f"arguments {unknown} are not ones nnkit reads")
    out = {"name": config.get("name"), "arguments": _plain_arguments(
        config.get("arguments"), where),
        "function": _registered_function(config.get("function"), where, "function",
                                         config.get("function_type"))}
    if config.get("mask") is not None:
        out["mask"] = _registered_function(config["mask"], where, "mask")
    shape = config.get("output_shape")
    if isinstance(shape, dict) and shape.get("class_name") == "__tuple__":
        shape = (shape.get("config") or {}).get("value")
    if isinstance(shape, dict) or config.get("output_shape_type") == "lambda":
        _registered_function(shape, where, "output_shape", config.get("output_shape_type"))
        shape = None                     # a function of shapes: nnkit traces the shape instead
    if shape is not None:
        out["output_shape"] = list(shape)
    return {"class_name": "Lambda", "config": out}


def _plain_arguments(arguments, where):
    """Keras's ``arguments`` dict; anything but JSON values (a tensor, an object) is refused."""
    if arguments is None:
        return {}

    def check(value):
        if isinstance(value, dict):
            if "class_name" in value:
                _refuse(where, f"argument value {value.get('class_name')!r} is an object; "
                               f"nnkit reads numbers, strings and lists there")
            return {key: check(item) for key, item in value.items()}
        return [check(item) for item in value] if isinstance(value, list) else value
    return check(dict(arguments))


def lambda_config(layer):
    """An nnkit ``Lambda`` as Keras 3 writes a Lambda of a registered function (Keras then
    needs a function registered under the same name).

    Raises:
        CheckpointError: the function is not registered (from ``Lambda.get_config``).
    """
    own = layer.get_config()
    function = {"module": "builtins", "class_name": "function", "config": own["function"],
                "registered_name": "function"}
    config = {"name": layer.name, "trainable": layer.trainable, "dtype": "float32",
              "function": function, "arguments": own["arguments"]}
    if own.get("output_shape") is not None:
        config["output_shape"] = own["output_shape"]
    if own.get("mask") is not None:
        config["mask"] = {**function, "config": own["mask"]}
    return {"module": "keras.layers", "class_name": "Lambda", "config": config,
            "registered_name": None}
