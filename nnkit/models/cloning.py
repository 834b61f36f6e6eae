"""clone_model: the same architecture with fresh weights (Keras's ``keras.models.clone_model``)."""
from nnkit.errors import InvalidArgumentError
from nnkit.layers.input_layer import InputLayer
from nnkit.models.functional import Functional
from nnkit.models.sequential import Sequential
from nnkit.registry import LAYERS


def clone_model(model, input_tensors=None, clone_function=None, call_function=None,
                recursive=False):
    """A new model with ``model``'s layers rebuilt from their configs (new weights).

    Layers keep their names, as in Keras; the clone is not compiled. Call
    ``clone.set_weights(model.get_weights())`` to copy the weights too.

    Args:
        clone_function: ``layer -> new layer`` for every layer but the inputs (default:
            ``type(layer).from_config(layer.get_config())``; return the layer itself to share it).
        input_tensors, call_function, recursive: Keras's options; nnkit accepts them at
            their defaults only.

    Raises:
        InvalidArgumentError: ``model`` is not a Sequential or graph ``Model``, or an option
            nnkit does not implement is given.
    """
    for option, value in (("input_tensors", input_tensors), ("call_function", call_function)):
        if value is not None:
            raise InvalidArgumentError(f"clone_model: nnkit does not implement {option}")
    if recursive:
        raise InvalidArgumentError("clone_model: nnkit does not implement recursive=True")
    clone_layer = clone_function or _fresh_layer
    if isinstance(model, Sequential):
        clone = Sequential(name=model.name)
        if model.input_layer is not None:
            clone.add(InputLayer.from_config(model.input_layer.get_config()))
        for layer in model.layers:
            clone.add(clone_layer(layer))
        if not clone.built and model.build_input_shape is not None:
            clone.build(model.build_input_shape)
        return clone
    if isinstance(model, Functional):
        by_name = {layer.name: layer for layer in model.layers}

        def make_layer(spec):
            layer = by_name[spec["name"]]
            if isinstance(layer, InputLayer):
                return _fresh_layer(layer)
            return clone_layer(layer)
        return Functional.from_config(model.get_config(), make_layer=make_layer)
    raise InvalidArgumentError(f"clone_model: expected a Sequential or Model, received "
                               f"{type(model).__name__}")


def _fresh_layer(layer):
    return LAYERS.get(type(layer).__name__).from_config(layer.get_config())
