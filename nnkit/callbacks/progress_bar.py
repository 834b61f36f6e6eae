"""ProgressBar: a tqdm bar per epoch with the running loss and metrics."""
from nnkit.callbacks.base import Callback


class ProgressBar(Callback):
    """Shown by ``fit(verbose=1)``; tqdm is imported only when a bar is shown."""

    def __init__(self):
        super().__init__()
        self.bar = None

    def on_epoch_begin(self, epoch, logs=None):
        from tqdm.auto import tqdm
        self.bar = tqdm(total=self.params["steps"], unit="batch", leave=True,
                        desc=f"Epoch {epoch + 1}/{self.params['epochs']}")

    def on_train_batch_end(self, batch, logs=None):
        self.bar.update(1)
        self.bar.set_postfix({key: f"{value:.4f}" for key, value in (logs or {}).items()},
                             refresh=False)

    def on_epoch_end(self, epoch, logs=None):
        self.bar.set_postfix({key: f"{value:.4f}" for key, value in (logs or {}).items()})
        self.bar.close()
        self.bar = None

    def on_train_end(self, logs=None):
        if self.bar is not None:
            self.bar.close()
