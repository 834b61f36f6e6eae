"""TerminateOnNaN: stop as soon as the loss is not finite."""
import math

from nnkit.callbacks.base import Callback
from nnkit.callbacks.messages import print_msg


class TerminateOnNaN(Callback):
    """Stop training at the first batch whose running loss is NaN or infinite.

    Args:
        raise_error: False: print "Batch N: Invalid loss, terminating training" and stop
            after this batch (``on_train_end`` still runs); True: raise RuntimeError at once.
    """

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None or math.isfinite(loss):
            return
        if self.raise_error:
            raise RuntimeError(f"NaN or Inf loss encountered at batch {batch}. Loss value: "
                               f"{loss}. Terminating training immediately.")
        print_msg(f"Batch {batch}: Invalid loss, terminating training")
        self.model.stop_training = True
