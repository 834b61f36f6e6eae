"""BackupAndRestore: write everything an exact resume needs, every few batches."""
import os

from nnkit.callbacks.base import Callback
from nnkit.errors import InvalidArgumentError


class BackupAndRestore(Callback):
    """Save a resumable checkpoint to ``filepath`` during ``fit`` (Keras's BackupAndRestore).

    The file (written atomically) is a normal nnkit checkpoint plus a
    ``/training_state`` group: epoch, batch index, the epoch's shuffle order,
    running loss and metrics, History and callback states; nnkit's generator
    state and the optimizer's slots, step and learning rate are in it too.
    ``fit(..., resume_from=filepath)`` continues from it with the identical loss
    trace; when ``fit`` gets this callback and ``filepath`` exists, it resumes
    from it by itself.

    Put it last among your callbacks: the state is taken at its
    ``on_train_batch_end``, so callbacks after it do not see that hook replayed
    for the saved batch.

    Args:
        filepath: the checkpoint file (overwritten each time).
        save_freq: ``"epoch"`` (after each epoch's last batch) or a number of
            batches N (after every N-th batch, counted over the whole run).
        delete_on_end: remove the file when fit ends normally (not when it is
            interrupted or stopped early), as Keras does.
    """

    writes_files = True

    restores_on_fit = True

    def __init__(self, filepath, save_freq="epoch", delete_on_end=False):
        super().__init__()
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int)
                                     or save_freq <= 0):
            raise InvalidArgumentError(f"BackupAndRestore: save_freq must be 'epoch' or a "
                                       f"positive number of batches, received {save_freq!r}")
        self.filepath = str(filepath)
        self.save_freq = save_freq
        self.delete_on_end = delete_on_end
        self._batches_seen = 0

    def on_train_begin(self, logs=None):
        self._batches_seen = 0

    def on_train_batch_end(self, batch, logs=None):
        progress = self.model._progress
        self._batches_seen += 1
        if self.save_freq == "epoch":
            due = progress.step == len(progress.epoch_batches) - 1
        else:
            due = self._batches_seen % self.save_freq == 0
        if due:
            self.save()

    def save(self):
        """Write the checkpoint now (after the last finished batch)."""
        self.model._progress.save(self.filepath)

    def on_train_end(self, logs=None):
        if self.delete_on_end and not self.model.stop_training and os.path.exists(self.filepath):
            os.unlink(self.filepath)
