"""History: per-epoch logs of fit."""
from nnkit.callbacks.base import Callback


class History(Callback):
    """Records every epoch's logs: ``history.history["loss"][epoch]``, also ``val_*`` keys.

    Attributes:
        history: ``{name: [value per epoch]}``.
        epoch: the epochs recorded.
        params: ``{"epochs", "steps", "verbose"}`` of the fit.
        profile: the ``nnkit.profiling.Profile`` of a ``fit(profile=True)``, else None.
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []
        self.profile = None

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
