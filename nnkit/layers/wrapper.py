"""Wrapper: the base of layers that run other layers (TimeDistributed, Bidirectional).

A wrapper owns no arrays of its own. After building its children it exposes
their parameters and gradients in its own dicts under prefixed keys
(``"<role>/<key>"``) that alias the children's arrays, so optimizers, saving,
``zero_grads`` and gradient checks see every parameter exactly once.
"""
from nnkit.errors import InvalidArgumentError
from nnkit.layers.base import Layer
from nnkit.registry import LAYERS


def serialize_layer(layer):
    """``{"class_name", "config"}`` of ``layer``, as nested in a wrapper's config."""
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def deserialize_layer(config):
    """Rebuild a layer from ``serialize_layer``'s output (registered classes only)."""
    return LAYERS.get(config["class_name"]).from_config(config["config"])


class Wrapper(Layer):
    """A layer around ``layer``; subclasses name their children in ``children()``.

    Args:
        layer: the wrapped Layer (its config is nested in the wrapper's).
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise InvalidArgumentError(f"{type(self).__name__}: expected a Layer to wrap, "
                                       f"received {type(layer).__name__}")
        super().__init__(**kwargs)
        self.layer = layer

    def children(self):
        """``{role: layer}``; parameters are exposed as ``"<role>/<key>"``."""
        return {"layer": self.layer}

    def expose_child_params(self):
        """Alias every child's params and grads under prefixed keys (call after building them)."""
        for role, child in self.children().items():
            for key in child.params:
                self.params[f"{role}/{key}"] = child.params[key]
                self.grads[f"{role}/{key}"] = child.grads[key]
            self.non_trainable_keys.update(f"{role}/{key}" for key in child.non_trainable_keys)

    def clear_cache(self):
        super().clear_cache()
        for child in self.children().values():
            child.clear_cache()

    def detach_cache(self):
        return super().detach_cache(), {role: child.detach_cache()
                                        for role, child in self.children().items()}

    def attach_cache(self, cache):
        own, children = cache
        super().attach_cache(own)
        for role, child in self.children().items():
            child.attach_cache(children[role])

    def get_config(self):
        return {**super().get_config(), "layer": serialize_layer(self.layer)}

    @classmethod
    def from_config(cls, config):
        return super().from_config({**config, "layer": deserialize_layer(config["layer"])})
