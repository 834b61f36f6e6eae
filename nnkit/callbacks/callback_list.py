"""CallbackList: the one caller of every callback's hooks in fit, evaluate and predict."""
from nnkit import profiling
from nnkit.callbacks.base import Callback
from nnkit.callbacks.progress_bar import ProgressBar
from nnkit.errors import InvalidArgumentError


class CallbackList:
    """Calls every callback's hook in order (``on_epoch_end``, ``on_test_batch_begin``, ...,
    any ``on_*`` hook of ``Callback``); adds a progress bar when ``verbose`` and none is given.

    Args:
        callbacks: Callback instances: a list, one Callback or None (as Keras accepts).
        model: the model they watch (``set_model``).
        verbose: 0, 1 or 2; ``set_params`` gives it to every callback with ``epochs`` and
            ``steps`` (batches per epoch, or None when unknown).
        writes_files: False on a data-parallel rank other than 0, which then runs no
            callback that writes files.
    """

    def __init__(self, callbacks, model, verbose, epochs, steps, writes_files=True):
        callbacks = callback_items(callbacks)
        if verbose and not any(isinstance(c, ProgressBar) for c in callbacks):
            callbacks.append(ProgressBar())
        for callback in callbacks:
            callback.set_model(model)
            callback.set_params({"epochs": epochs, "steps": steps, "verbose": verbose})
        self.callbacks = callbacks
        self.active = [c for c in callbacks if writes_files or not c.writes_files]

    def __getattr__(self, hook):
        if not hook.startswith("on_") or not hasattr(Callback, hook):
            raise AttributeError(hook)

        def call(*args, **kwargs):
            for callback in self.active:
                with profiling.section("callbacks", type(callback).__name__):
                    getattr(callback, hook)(*args, **kwargs)
        return call

    def on_gradients(self, batch, loss):
        """Every callback observes the step; True unless one of them rejects it."""
        accepted = True
        for callback in self.active:
            with profiling.section("callbacks", type(callback).__name__):
                accepted = callback.on_gradients(batch, loss) is not False and accepted
        return accepted


def callback_items(callbacks):
    """``callbacks`` as a new list of Callback instances (None: none; one: a list of one)."""
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback):
        return [callbacks]
    try:
        items = list(callbacks)
    except TypeError:
        items = [callbacks]
    for callback in items:
        if not isinstance(callback, Callback):
            raise InvalidArgumentError(f"callbacks: expected a Callback, a list of them or "
                                       f"None, received {type(callback).__name__} "
                                       f"{callback!r}")
    return items
