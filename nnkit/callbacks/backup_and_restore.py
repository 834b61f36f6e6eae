"""BackupAndRestore: write everything an exact resume needs, every epoch or N batches."""
import os

from nnkit.callbacks import arguments, output_paths
from nnkit.callbacks.base import Callback
from nnkit.errors import CheckpointError

#: the checkpoint's name inside ``backup_dir``
BACKUP_FILE = "backup.h5"


class BackupAndRestore(Callback):
    """Back up the training state during ``fit`` and resume from it, as Keras's
    ``BackupAndRestore(backup_dir, save_freq, double_checkpoint, delete_checkpoint)``.

    The backup (``<backup_dir>/backup.h5``, written atomically; a ``backup_dir`` ending in
    ``.h5`` is taken as the file itself, nnkit's older form) is a normal nnkit checkpoint
    plus a ``/training_state`` group: epoch, batch index, the epoch's shuffle order, running
    loss and metrics, History and callback states, nnkit's generator state and the
    optimizer's slots, step and learning rate. When ``fit`` gets this callback and the
    backup exists, it continues from the saved batch with the identical loss trace (Keras
    restarts the saved epoch); ``fit(..., resume_from=path)`` does the same for any backup.

    Put it last among your callbacks: the state is taken at its ``on_train_batch_end``, so
    callbacks after it do not see that hook replayed for the saved batch.

    Args:
        backup_dir: the folder of the backup, or the ``.h5`` file; the folder is made and
            written to when training begins, so an unusable one fails then.
        save_freq: ``"epoch"`` (after each epoch's last batch) or a number of batches N >= 1
            (after every N-th batch, counted over the whole run). Keras's ``False`` (its
            preemption checkpointing, which nnkit does not have) is refused.
        double_checkpoint: accepted for Keras's scripts: the atomic write already leaves
            the previous complete backup when a write is cut short.
        delete_checkpoint: remove the backup when ``fit`` has run all its epochs. Unlike
            Keras, a fit ended by ``stop_training`` (a callback's stop, Ctrl-C) keeps it,
            since that is how nnkit's interrupted runs end.
    """

    writes_files = True

    restores_on_fit = True

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False,
                 delete_checkpoint=True):
        super().__init__()
        self.backup_dir = output_paths.path_argument("BackupAndRestore", "backup_dir",
                                                     backup_dir)
        self.filepath = (self.backup_dir if self.backup_dir.endswith(".h5") else
                         os.path.join(self.backup_dir, BACKUP_FILE))
        self.save_freq = arguments.save_frequency("BackupAndRestore", "save_freq", save_freq)
        self.double_checkpoint, self.delete_checkpoint = double_checkpoint, delete_checkpoint
        self._batches_seen = 0

    def on_train_begin(self, logs=None):
        output_paths.check_not_folder("BackupAndRestore", "backup_dir", self.backup_dir,
                                      self.filepath)
        output_paths.check_writable_folder("BackupAndRestore", "backup_dir", self.backup_dir,
                                           os.path.dirname(self.filepath))
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
        """Write the backup now (after the last finished batch)."""
        try:
            os.makedirs(os.path.dirname(self.filepath) or os.curdir, exist_ok=True)
            self.model._progress.save(self.filepath)
        except OSError as error:
            raise CheckpointError(f"BackupAndRestore: cannot write {self.filepath!r} "
                                  f"(backup_dir {self.backup_dir!r}): "
                                  f"{error.strerror or error}") from None

    def on_train_end(self, logs=None):
        if not self.delete_checkpoint or self.model.stop_training:
            return
        if os.path.exists(self.filepath):
            os.unlink(self.filepath)
        if self.filepath != self.backup_dir and os.path.isdir(self.backup_dir) \
                and not os.listdir(self.backup_dir):
            os.rmdir(self.backup_dir)
