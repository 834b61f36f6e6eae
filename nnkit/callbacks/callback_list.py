"""CallbackList: the fit loop's one caller of every callback's hooks."""
from nnkit import profiling
from nnkit.callbacks.base import Callback
from nnkit.callbacks.progress_bar import ProgressBar
from nnkit.errors import InvalidArgumentError


class CallbackList:
    """Calls every callback's hook in order; adds the progress bar when ``verbose``.

    Args:
        writes_files: False on a data-parallel rank other than 0, which then runs no
            callback that writes files.
    """

    def __init__(self, callbacks, model, verbose, epochs, steps, writes_files=True):
        callbacks = list(callbacks) + ([ProgressBar()] if verbose else [])
        for callback in callbacks:
            if not isinstance(callback, Callback):
                raise InvalidArgumentError(f"callbacks: expected Callback instances, received "
                                           f"{type(callback).__name__}")
            callback.set_model(model)
            callback.params = {"epochs": epochs, "steps": steps, "verbose": verbose}
        self.callbacks = callbacks
        self.active = [c for c in callbacks if writes_files or not c.writes_files]

    def __getattr__(self, hook):
        if not hook.startswith("on_"):
            raise AttributeError(hook)

        def call(*args):
            for callback in self.active:
                with profiling.section("callbacks", type(callback).__name__):
                    getattr(callback, hook)(*args)
        return call

    def on_gradients(self, batch, loss):
        """Every callback observes the step; True unless one of them rejects it."""
        accepted = True
        for callback in self.active:
            with profiling.section("callbacks", type(callback).__name__):
                accepted = callback.on_gradients(batch, loss) is not False and accepted
        return accepted
