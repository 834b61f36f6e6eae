"""Class registries: configs name classes, and only registered classes can be built.

Loading a checkpoint looks class names up here; nothing in a file is ever
imported or evaluated, so a custom layer must be registered explicitly with
``@nnkit.register_layer``.
"""
from nnkit.errors import InvalidArgumentError


class Registry:
    """A name → class table for one kind of object (layers, optimizers, ...)."""

    def __init__(self, kind):
        self.kind = kind
        self._classes = {}

    def register(self, cls):
        """Class decorator: make ``cls`` buildable by its class name."""
        self._classes[cls.__name__] = cls
        return cls

    def alias(self, name, cls):
        """Also build ``cls`` from configs that call it ``name`` (Keras's other name for it)."""
        self._classes[name] = cls

    def get(self, name):
        if not isinstance(name, str) or name not in self._classes:
            raise InvalidArgumentError(
                f"unknown {self.kind} {name!r}: expected one of {sorted(self._classes)}"
                f" (custom classes must be registered)")
        return self._classes[name]

    def names(self):
        return sorted(self._classes)


LAYERS = Registry("layer")
register_layer = LAYERS.register

CELLS = Registry("cell")
register_cell = CELLS.register


def object_from_spec(spec, kind, base, by_name, by_class, module):
    """An object of class ``base`` from None, a name in ``by_name``, ``{"class_name", "config"}``
    naming a class in ``by_class``, or an instance (returned as it is).

    Raises:
        InvalidArgumentError: anything else.
    """
    if spec is None or isinstance(spec, base):
        return spec
    if isinstance(spec, str) and spec in by_name:
        return by_name[spec]()
    if isinstance(spec, dict) and spec.get("class_name") in by_class:
        return by_class[spec["class_name"]](**dict(spec.get("config") or {}))
    raise InvalidArgumentError(f"unknown {kind} {spec!r}: expected None, {sorted(by_name)}, "
                               f"a {module} object or its config")


def object_config(obj):
    """``{"class_name", "config"}`` of ``obj`` (None stays None), as configs store it."""
    return None if obj is None else {"class_name": type(obj).__name__,
                                     "config": obj.get_config()}
