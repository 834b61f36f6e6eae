"""register_keras_serializable / custom_object_scope: Keras's ways to make custom code loadable.

nnkit builds objects from configs only through its registries (``nnkit.registry``): nothing
in a file is imported or evaluated. A custom layer, recurrent cell, loss or metric class, or
a function (a ``Lambda``'s, say), registered here loads by its name and by Keras's registered
name ``"<package>><name>"``; ``custom_object_scope`` (and ``load_model(custom_objects=...)``)
adds objects for one block only.
"""
import inspect

from nnkit import losses, metrics
from nnkit.errors import InvalidArgumentError
from nnkit.layers.base import Layer
from nnkit.layers.recurrent.cell import Cell
from nnkit.registry import CELLS, FUNCTIONS, LAYERS, custom_object_scope  # noqa: F401

#: the custom objects registered here, by Keras's registered name (``get_custom_objects``)
_REGISTERED = {}


def register_keras_serializable(package="Custom", name=None):
    """Decorator: register a custom Layer, Cell, Loss or Metric class, or a function.

    Args:
        package: the package part of Keras's registered name.
        name: the name part (default: the class's or function's name).

    Returns:
        The decorator; it returns the object unchanged.

    Raises:
        InvalidArgumentError: an object nnkit cannot register (a class of another kind, a
            class without ``get_config``, a lambda expression).

    Example:
        >>> @nnkit.saving.register_serializable(package="demo")
        ... class Scale(nnkit.layers.Layer): ...
    """
    def decorator(obj):
        key = name or getattr(obj, "__name__", None)
        registered_name = f"{package}>{key}"
        registry = _registry_for(obj, registered_name)
        if registry is FUNCTIONS:
            FUNCTIONS.alias(key, obj)
            obj._nnkit_registered_name = registered_name
        else:
            if not callable(getattr(obj, "get_config", None)):
                raise InvalidArgumentError(f"register_keras_serializable: cannot register "
                                           f"{registered_name!r}: it has no get_config() method")
            registry.register(obj)
        registry.alias(registered_name, obj)
        _REGISTERED[registered_name] = obj
        return obj

    return decorator


def get_registered_name(obj):
    """Keras's registered name of ``obj`` (``"package>name"``), or None when unregistered."""
    for registered_name, known in _REGISTERED.items():
        if known is obj:
            return registered_name
    return None


def get_custom_objects():
    """``{registered name: object}`` of everything registered with the decorator (a copy)."""
    return dict(_REGISTERED)


def _registry_for(obj, registered_name):
    if inspect.isclass(obj):
        for base, registry in ((Layer, LAYERS), (Cell, CELLS), (losses.Loss, losses.LOSSES),
                               (metrics.Metric, metrics.METRICS)):
            if issubclass(obj, base):
                return registry
        raise InvalidArgumentError(f"register_keras_serializable: {registered_name!r} is a class "
                                   f"nnkit has no registry for (it registers Layer, Cell, Loss "
                                   f"and Metric subclasses, and functions)")
    if inspect.isfunction(obj):
        if obj.__name__ == "<lambda>":
            raise InvalidArgumentError("register_keras_serializable: a lambda expression has "
                                       "no name to load it by; define it with def")
        return FUNCTIONS
    raise InvalidArgumentError(f"register_keras_serializable: cannot register {obj!r}")
