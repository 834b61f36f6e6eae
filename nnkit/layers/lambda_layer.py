"""Lambda: a layer from a function of ops (Keras's ``keras.layers.Lambda``).

The function is traced like any ``call()`` (``nnkit.layers.traced_call``), so its gradient
is the reverse of its ops' hand-written gradients. Saving never stores code: a Lambda
saves its function by the name it was registered under
(``nnkit.saving.register_serializable``); an unregistered one cannot be saved, and
``get_config`` says why.
"""
from nnkit.errors import CheckpointError, InvalidArgumentError
from nnkit.layers.base import Layer
from nnkit.registry import FUNCTIONS, register_layer


@register_layer
class Lambda(Layer):
    """``function(inputs, **arguments)`` as a layer.

    Args:
        function: a function of ``nnkit.ops`` (and operators) on its input tensor(s).
        output_shape: Keras's argument, kept in the config; nnkit finds the output shape
            by tracing the function.
        mask: None (no output mask) or a function ``(inputs, mask) -> mask`` (Keras's).
        arguments: extra keyword arguments for ``function`` (JSON-able values).

    Shapes: whatever ``function`` maps ``(N, ...)`` to.

    Example:
        >>> squared = nnkit.layers.Lambda(lambda x: nnkit.ops.square(x))(inputs)
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(function, str):                 # from a config: a registered name
            function = FUNCTIONS.get(function)
        if not callable(function):
            raise InvalidArgumentError(f"Lambda '{self.name}': function must be callable, "
                                       f"received {type(function).__name__}")
        self.function, self.mask_function = function, mask
        self.expected_shape = None if output_shape is None else tuple(output_shape)
        self.arguments = dict(arguments or {})

    def call(self, inputs, mask=None):
        return self.function(inputs, **self.arguments)

    def compute_mask(self, inputs, mask=None):
        return None if self.mask_function is None else self.mask_function(inputs, mask)

    def get_config(self):
        """The function by its registered name.

        Raises:
            CheckpointError: the function (or mask function) is not registered: nnkit never
                saves code, so a model with it cannot be saved.
        """
        names = [_registered_name(self.name, f) for f in (self.function, self.mask_function)]
        return {**super().get_config(), "function": names[0], "mask": names[1],
                "output_shape": None if self.expected_shape is None else
                list(self.expected_shape), "arguments": self.arguments}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if config.get("mask") is not None:
            config["mask"] = FUNCTIONS.get(config["mask"])
        return super().from_config(config)


def _registered_name(layer_name, function):
    if function is None:
        return None
    name = getattr(function, "_nnkit_registered_name", None)
    if name is None:
        raise CheckpointError(
            f"Lambda '{layer_name}': its function {getattr(function, '__name__', function)!r} "
            f"is not registered, and nnkit never saves code; decorate it with "
            f"@nnkit.saving.register_serializable() (then load_model finds it by name)")
    return name
