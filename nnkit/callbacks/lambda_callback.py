"""LambdaCallback: a callback made of functions, for small one-off hooks."""
from nnkit.callbacks import arguments
from nnkit.callbacks.base import Callback
from nnkit.errors import InvalidArgumentError


class LambdaCallback(Callback):
    """Calls the given functions at the hooks of their names, as Keras's ``LambdaCallback``.

    ``on_epoch_begin/end(epoch, logs)``, ``on_train_begin/end(logs)``,
    ``on_train_batch_begin/end(batch, logs)``; ``kwargs`` give any other hook of ``Callback``
    by its name (``on_test_end=...``, ``on_predict_batch_end=...``, ``on_batch_end=...``).

    Example:
        >>> LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs["loss"]))

    Raises:
        InvalidArgumentError: a keyword that is not a hook of ``Callback``, or a hook that is
            not callable.
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None,
                 **kwargs):
        super().__init__()
        hooks = dict(kwargs, on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end,
                     on_train_batch_begin=on_train_batch_begin,
                     on_train_batch_end=on_train_batch_end)
        for name, function in hooks.items():
            if not name.startswith("on_") or not hasattr(Callback, name):
                raise InvalidArgumentError(f"LambdaCallback: {name!r} is not a callback hook")
            if function is not None:
                setattr(self, name, arguments.function("LambdaCallback", name, function))
