"""Class registries: configs name classes, and only registered classes can be built.

Loading a checkpoint looks class names up here; nothing in a file is ever
imported or evaluated, so a custom layer must be registered explicitly with
``@nnkit.register_layer``.
"""
import contextlib
import contextvars
from collections import defaultdict

from nnkit.errors import InvalidArgumentError

#: the ``custom_objects`` of the ``load_model`` / ``custom_object_scope`` running in this
#: thread (a ContextVar: one thread's scope never reaches another's)
_custom_objects = contextvars.ContextVar("nnkit_custom_objects", default=None)

#: Keras's one table of name counters, process-wide (a layer's automatic name and
#: ``get_uid`` count in it); ``nnkit.backend.clear_session()`` empties it.
_name_counters = defaultdict(int)


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
        scoped = _custom_objects.get()
        if scoped and isinstance(name, str) and name in scoped:
            return scoped[name]
        if not isinstance(name, str) or name not in self._classes:
            raise InvalidArgumentError(
                f"unknown {self.kind} {name!r}: expected one of {sorted(self._classes)}"
                f" (custom classes must be registered)")
        return self._classes[name]

    def names(self):
        return sorted(self._classes)


@contextlib.contextmanager
def custom_object_scope(objects):
    """Inside the block, every registry also builds the classes (and functions) of
    ``objects`` (``{name: class or function}``), as Keras's ``custom_object_scope``."""
    merged = {**(_custom_objects.get() or {}), **dict(objects or {})}
    token = _custom_objects.set(merged)
    try:
        yield
    finally:
        _custom_objects.reset(token)


#: functions saved by name (a Lambda's function, a custom activation): registered with
#: ``nnkit.saving.register_serializable``; loading looks them up here, never in the file
FUNCTIONS = Registry("function")


def auto_name(base):
    """A new automatic name: ``base`` the first time, then ``base_1``, ``base_2``, ... (Keras's
    rule: ``Dense()`` is "dense", the next "dense_1")."""
    count = _name_counters[base]
    _name_counters[base] += 1
    return base if count == 0 else f"{base}_{count}"


def get_uid(prefix=""):
    """Keras's ``backend.get_uid``: 1, 2, 3, ... for successive calls with ``prefix`` (shares
    the counters of ``auto_name``)."""
    _name_counters[prefix] += 1
    return _name_counters[prefix]


def reset_names():
    """Start every automatic name and uid again from the beginning."""
    _name_counters.clear()


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
