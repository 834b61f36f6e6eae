"""Weight initializers: Keras 3's classes and names (see ``nnkit.initializers.base``).

``get`` turns any of the forms a layer argument or a config may hold into an
initializer ``init(shape, dtype=None) -> host array``:

- a name: Keras's class name or snake_case name (``"GlorotUniform"``,
  ``"glorot_uniform"``, ``"he_normal"``, ``"truncated_normal"``, ``"orthogonal"``, ...)
  or Keras's aliases ``"uniform"``, ``"normal"``, ``"zero"``, ``"one"``;
- a ``(name, kwargs)`` pair (nnkit's configs); ``("uniform", {"scale": s})`` is
  U(-s, s) and ``("normal", {"scale": s})`` is N(0, s²), as nnkit has always written;
- Keras's config dict ``{"class_name": ..., "config": {...}}``;
- an ``Initializer`` object or class, or any callable ``f(shape, dtype=None)``.

``serialize`` gives what a JSON config stores: a name or pair as it is, an
``Initializer`` object as ``{"class_name", "config"}`` (which ``get`` reads back).
Custom ``Initializer`` subclasses load from configs once ``register``-ed.
"""
import inspect
import re

from nnkit.errors import InvalidArgumentError
from nnkit.initializers.base import Initializer, RandomInitializer, compute_fans
from nnkit.initializers.constant import Constant, Identity, Ones, Zeros
from nnkit.initializers.distributions import (Orthogonal, RandomNormal, RandomUniform,
                                              TruncatedNormal)
from nnkit.initializers.variance_scaling import (GlorotNormal, GlorotUniform, HeNormal,
                                                 HeUniform, LecunNormal, LecunUniform,
                                                 VarianceScaling)
from nnkit.keras_names import missing_names
from nnkit.registry import Registry

INITIALIZERS = Registry("initializer")


def register(cls):
    """Class decorator: ``cls`` loads from configs by its class name and snake_case name."""
    INITIALIZERS.register(cls)
    INITIALIZERS.alias(_snake_case(cls.__name__), cls)
    return cls


def _snake_case(name):
    """``"GlorotUniform"`` → ``"glorot_uniform"``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


for _class in (Constant, Zeros, Ones, Identity, RandomNormal, RandomUniform, TruncatedNormal,
               Orthogonal, VarianceScaling, GlorotUniform, GlorotNormal, HeUniform, HeNormal,
               LecunUniform, LecunNormal):
    register(_class)
for _alias, _class in (("normal", RandomNormal), ("uniform", RandomUniform), ("zero", Zeros),
                       ("one", Ones), ("IdentityInitializer", Identity),
                       ("OrthogonalInitializer", Orthogonal)):
    INITIALIZERS.alias(_alias, _class)


def _from_pair(name, options):
    """nnkit's ``(name, kwargs)``; the legacy ``scale`` of "uniform"/"normal" translated."""
    options = dict(options)
    if name == "uniform" and "scale" in options:
        scale = options.pop("scale")
        options.update(minval=-scale, maxval=scale)
    elif name == "normal" and "scale" in options:
        options.update(mean=0.0, stddev=options.pop("scale"))
    return INITIALIZERS.get(name).from_config(options)


def get(spec):
    """The initializer ``spec`` names (see the module docstring for the forms).

    Raises:
        InvalidArgumentError: an unknown name, arguments the class does not take, or
            anything else.
    """
    if isinstance(spec, Initializer):
        return spec
    if inspect.isclass(spec) and issubclass(spec, Initializer):
        return spec()
    try:
        if isinstance(spec, str):
            return INITIALIZERS.get(spec)()
        if isinstance(spec, dict) and "class_name" in spec:
            return INITIALIZERS.get(spec["class_name"]).from_config(
                dict(spec.get("config") or {}))
        if isinstance(spec, (tuple, list)) and len(spec) == 2 and isinstance(spec[0], str) \
                and isinstance(spec[1], dict):
            return _from_pair(*spec)
    except TypeError as error:
        raise InvalidArgumentError(f"initializer {spec!r}: {error}") from None
    if callable(spec):
        return spec
    raise InvalidArgumentError(f"unknown initializer {spec!r}: expected a name "
                               f"({INITIALIZERS.names()}), a (name, kwargs) pair, a config "
                               f"dict, an Initializer or a function f(shape, dtype=None)")


def serialize(spec):
    """What a JSON config stores for ``spec``: a name or pair unchanged, an Initializer's
    ``{"class_name", "config"}``.

    Raises:
        InvalidArgumentError: a plain function (it cannot be written to a config).
    """
    if isinstance(spec, Initializer):
        return {"class_name": type(spec).__name__, "config": spec.get_config()}
    if isinstance(spec, (str, dict, tuple, list)):
        return spec
    raise InvalidArgumentError(f"initializer {spec!r} cannot be saved in a config: use a "
                               f"name or an Initializer subclass (registered with "
                               f"nnkit.initializers.register)")


__all__ = ["Initializer", "RandomInitializer", "Constant", "Zeros", "Ones", "Identity",
           "RandomNormal", "RandomUniform", "TruncatedNormal", "Orthogonal",
           "VarianceScaling", "GlorotUniform", "GlorotNormal", "HeUniform", "HeNormal",
           "LecunUniform", "LecunNormal", "INITIALIZERS", "compute_fans", "get", "register",
           "serialize"]

__getattr__ = missing_names(__name__)   # names Keras has and nnkit lacks say so
