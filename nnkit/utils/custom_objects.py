"""register_keras_serializable: Keras's decorator for custom classes, backed by nnkit's registries.

nnkit builds objects from configs only through its class registries (``nnkit.registry``): a
custom layer or recurrent cell registered here loads from nnkit checkpoints by its class name
and from Keras configs by Keras's registered name ``"<package>>"<name>``.
"""
from nnkit.errors import InvalidArgumentError
from nnkit.layers.base import Layer
from nnkit.layers.recurrent.cell import Cell
from nnkit.registry import CELLS, LAYERS


def register_keras_serializable(package="Custom", name=None):
    """Class decorator: register a custom ``Layer`` (or recurrent ``Cell``) subclass.

    Args:
        package: the package part of Keras's registered name.
        name: the name part (default: the class name).

    Returns:
        The decorator; it returns the class unchanged.

    Raises:
        InvalidArgumentError: the decorated object is not an nnkit Layer or Cell class (nnkit has
            no registry for custom functions, losses or metrics), or has no ``get_config``.

    Example:
        >>> @nnkit.utils.register_keras_serializable(package="demo")
        ... class Scale(nnkit.layers.Layer): ...
    """
    def decorator(cls):
        registry = _registry_for(cls)
        registered_name = f"{package}>{name or cls.__name__}"
        if not callable(getattr(cls, "get_config", None)):
            raise InvalidArgumentError(f"register_keras_serializable: cannot register {registered_name!r}: "
                                       f"it has no get_config() method")
        registry.register(cls)
        registry.alias(registered_name, cls)
        return cls

    return decorator


def _registry_for(obj):
    if isinstance(obj, type) and issubclass(obj, Layer):
        return LAYERS
    if isinstance(obj, type) and issubclass(obj, Cell):
        return CELLS
    raise InvalidArgumentError(f"register_keras_serializable: nnkit can register Layer and recurrent Cell "
                               f"subclasses only, received {getattr(obj, '__name__', obj)!r} (custom "
                               f"functions, losses and metrics have no nnkit registry)")
