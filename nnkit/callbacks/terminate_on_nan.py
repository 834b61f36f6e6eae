"""TerminateOnNaN: stop as soon as the loss is not finite."""
import math

from nnkit.callbacks.base import Callback


class TerminateOnNaN(Callback):
    """Stop training at the first batch whose running loss is NaN or infinite."""

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(f"Batch {batch}: invalid loss {loss}, terminating training")
            self.model.stop_training = True
