"""Callbacks: Keras's hooks into the training loop."""
from nnkit import profiling


class Callback:
    """Base class; override the hooks you need. ``self.model`` is set by ``fit``.

    Hooks: ``on_train_begin/end(logs)``, ``on_epoch_begin/end(epoch, logs)``,
    ``on_train_batch_begin/end(batch, logs)``. Set ``self.model.stop_training``
    to end training after the current batch or epoch.

    ``writes_files``: the callback writes files (checkpoints, logs); in a data-parallel
    fit only rank 0 runs it.
    """

    writes_files = False

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_train_batch_begin(self, batch, logs=None):
        pass

    def on_train_batch_end(self, batch, logs=None):
        pass


class CallbackList:
    """Calls every callback's hook in order; adds the progress bar when ``verbose``."""

    def __init__(self, callbacks, model, verbose, epochs, steps, writes_files=True):
        if verbose:
            from nnkit.callbacks.progress_bar import ProgressBar
            callbacks = list(callbacks) + [ProgressBar()]
        self.callbacks = list(callbacks)
        for callback in self.callbacks:
            if not isinstance(callback, Callback):
                from nnkit.errors import InvalidArgumentError
                raise InvalidArgumentError(f"callbacks: expected Callback instances, received "
                                           f"{type(callback).__name__}")
            callback.set_model(model)
            callback.params = {"epochs": epochs, "steps": steps, "verbose": verbose}
        # a data-parallel rank other than 0 runs no callback that writes files
        self.active = [c for c in self.callbacks if writes_files or not c.writes_files]

    def __getattr__(self, hook):
        if not hook.startswith("on_"):
            raise AttributeError(hook)

        def call(*args):
            for callback in self.active:
                with profiling.section("callbacks", type(callback).__name__):
                    getattr(callback, hook)(*args)
        return call
