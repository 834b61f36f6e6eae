"""Callbacks: Keras's hooks into ``fit``, ``evaluate`` and ``predict``."""


class Callback:
    """Base class; override the hooks you need.

    Hooks (Keras 3's set), each ``(logs=None)`` or ``(epoch|batch, logs=None)``:
    ``on_train_begin/end``, ``on_epoch_begin/end``, ``on_train_batch_begin/end`` (whose
    defaults call ``on_batch_begin/end``, Keras's older names), ``on_test_begin/end``,
    ``on_test_batch_begin/end`` (``evaluate`` and the validation pass of ``fit``),
    ``on_predict_begin/end``, ``on_predict_batch_begin/end``; and nnkit's
    ``on_gradients(batch, loss)``: after a batch's backward pass, before the optimizer step
    (``batch`` is ``(xs, ys, sample_weights)``, lists in model order;
    ``model.named_gradients()`` has the gradients); returning False rejects the step (every
    callback still sees it). Set ``self.model.stop_training`` to end training after the
    current batch or epoch.

    Attributes:
        model: the model being trained (set by ``set_model``).
        params: ``{"epochs", "steps", "verbose"}`` of the running call (``set_params``).
        writes_files: the callback writes files (checkpoints, logs); in a data-parallel fit
            only rank 0 runs it.
    """

    writes_files = False
    _model = None
    params = None

    def __init__(self):
        self._model = None
        self.params = {}

    @property
    def model(self):
        return self._model

    @model.setter
    def model(self, model):
        self._model = model

    def set_model(self, model):
        self._model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_batch_begin(self, batch, logs=None):
        """Keras's older name of ``on_train_batch_begin`` (called by its default)."""

    def on_batch_end(self, batch, logs=None):
        """Keras's older name of ``on_train_batch_end`` (called by its default)."""

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs=logs)

    def on_test_begin(self, logs=None):
        pass

    def on_test_end(self, logs=None):
        pass

    def on_test_batch_begin(self, batch, logs=None):
        pass

    def on_test_batch_end(self, batch, logs=None):
        pass

    def on_predict_begin(self, logs=None):
        pass

    def on_predict_end(self, logs=None):
        pass

    def on_predict_batch_begin(self, batch, logs=None):
        pass

    def on_predict_batch_end(self, batch, logs=None):
        pass

    def on_gradients(self, batch, loss):
        """Observe (or reject, returning False) the step about to be applied."""
        return True
