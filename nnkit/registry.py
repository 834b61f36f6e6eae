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
