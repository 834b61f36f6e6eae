"""ModelCheckpoint: save the model (atomically) at the end of epochs."""
from nnkit.callbacks.base import Callback
from nnkit.callbacks.monitor import Monitor


class ModelCheckpoint(Callback):
    """Save to ``filepath`` after each epoch, or only when ``monitor`` improves.

    Args:
        filepath: may contain ``{epoch}`` and log keys, e.g. "ckpt-{epoch:02d}-{val_loss:.3f}.h5".
        monitor: log key watched when ``save_best_only``.
        save_best_only: keep only the best epoch's model.
        save_weights_only: write weights only.
        mode: see ``Monitor``.
    """

    writes_files = True

    def __init__(self, filepath, monitor="val_loss", save_best_only=False,
                 save_weights_only=False, mode="auto"):
        super().__init__()
        self.filepath = str(filepath)
        self.monitor = Monitor(monitor, mode)
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only

    def on_epoch_end(self, epoch, logs=None):
        if self.save_best_only and not self.monitor.improved(logs):
            return
        path = self.filepath.format(epoch=epoch + 1, **(logs or {}))
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path, tokenizer=self.model.tokenizer)
