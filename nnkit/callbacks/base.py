"""Callbacks: Keras's hooks into the training loop."""


class Callback:
    """Base class; override the hooks you need. ``self.model`` is set by ``fit``.

    Hooks: ``on_train_begin/end(logs)``, ``on_epoch_begin/end(epoch, logs)``,
    ``on_train_batch_begin/end(batch, logs)``, and ``on_gradients(batch, loss)``: after a
    batch's backward pass, before the optimizer step (``batch`` is ``(xs, ys,
    sample_weights)``, lists in model order; ``model.named_gradients()`` has the
    gradients); returning False rejects the step (every callback still sees it). Set
    ``self.model.stop_training`` to end training after the current batch or epoch.

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

    def on_gradients(self, batch, loss):
        """Observe (or reject, returning False) the step about to be applied."""
        return True
