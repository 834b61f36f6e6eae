"""TensorBoard: event files of the training that TensorBoard opens, written by tensorboardX."""
import os

from nnkit.backend import get_backend
from nnkit.callbacks.base import Callback
from nnkit.errors import InvalidArgumentError


class TensorBoard(Callback):
    """Keras's ``TensorBoard`` callback, written through ``tensorboardX`` (the optional extra
    ``pip install "nnkit[tensorboard]"``; imported only when training starts).

    Writes, as Keras lays them out: ``<log_dir>/train`` and ``<log_dir>/validation``
    with the scalars ``epoch_<key>`` of every epoch's logs (``val_`` keys go to
    validation), ``epoch_learning_rate``, ``batch_<key>`` every ``update_freq`` batches
    when it is an integer, and histograms of every weight every ``histogram_freq`` epochs.

    Args:
        log_dir: folder of the event files.
        update_freq: "epoch" or a number of batches.
        histogram_freq: epochs between weight histograms (0: none).
    """

    writes_files = True

    def __init__(self, log_dir="logs", update_freq="epoch", histogram_freq=0):
        super().__init__()
        if update_freq != "epoch" and (isinstance(update_freq, bool) or
                                       not isinstance(update_freq, int) or update_freq < 1):
            raise InvalidArgumentError(f"TensorBoard: update_freq must be 'epoch' or a positive "
                                       f"number of batches, received {update_freq!r}")
        self.log_dir, self.update_freq = str(log_dir), update_freq
        self.histogram_freq = int(histogram_freq)
        self._writers, self._batches = None, 0

    def on_train_begin(self, logs=None):
        try:
            from tensorboardX import SummaryWriter
        except ImportError:
            raise InvalidArgumentError('TensorBoard needs tensorboardX: pip install '
                                       '"nnkit[tensorboard]"') from None
        self._writers = {split: SummaryWriter(os.path.join(self.log_dir, split))
                         for split in ("train", "validation")}
        self._batches = self.model.optimizer.iterations

    def on_train_batch_end(self, batch, logs=None):
        self._batches += 1
        if self.update_freq != "epoch" and self._batches % self.update_freq == 0:
            for key, value in (logs or {}).items():
                self._writers["train"].add_scalar(f"batch_{key}", value, self._batches)

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            split, name = ("validation", key[4:]) if key.startswith("val_") else ("train", key)
            self._writers[split].add_scalar(f"epoch_{name}", value, epoch)
        self._writers["train"].add_scalar("epoch_learning_rate",
                                          self.model.optimizer.learning_rate, epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            backend = get_backend()
            for name, value in self.model.named_parameters().items():
                self._writers["train"].add_histogram(name, backend.to_numpy(value), epoch)
        for writer in self._writers.values():
            writer.flush()

    def on_train_end(self, logs=None):
        for writer in (self._writers or {}).values():
            writer.close()
        self._writers = None
