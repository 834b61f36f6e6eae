"""ModelCheckpoint: save the model (atomically) every epoch or every N batches."""
import os
import warnings

from nnkit import validation
from nnkit.callbacks import arguments, checkpoint_template, output_paths
from nnkit.callbacks.messages import print_msg
from nnkit.callbacks.monitor import MonitorCallback
from nnkit.errors import CheckpointError, InvalidArgumentError
from nnkit.saving.api import first_non_finite_weight


class ModelCheckpoint(MonitorCallback):
    """Save to ``filepath`` after each epoch (or every ``save_freq`` batches), or only when
    ``monitor`` improves, as Keras 3's ``ModelCheckpoint``.

    ``filepath`` is formatted with ``epoch`` (1-based), ``batch`` (1-based, with an integer
    ``save_freq``) and the log keys: "ckpt-{epoch:02d}-{val_loss:.2f}.keras". Its ending picks
    the format, as ``model.save``/``save_weights`` do: ``.keras`` a Keras 3 archive,
    ``.weights.h5`` Keras 3's weights file, any other (``.h5``) nnkit's HDF5 file (with the
    optimizer state, for exact resume). Keras 3 takes only ``.keras``/``.h5`` (``.weights.h5``
    with ``save_weights_only``); nnkit writes its own file for the other endings too, and
    refuses only the two that would name the other Keras format.

    Args:
        filepath: the path, a template as above.
        monitor: log key watched when ``save_best_only``.
        verbose: 1 prints Keras's messages ("Epoch 3: val_loss improved from ...").
        save_best_only: save only when ``monitor`` improves on the best so far (a missing
            monitor is warned about and the model saved).
        save_weights_only: write weights only.
        mode: "auto", "min" or "max" (see ``MonitorCallback``).
        save_freq: "epoch" or a number of batches.
        initial_value_threshold: the best value to beat at the start (None: anything).

    Checks, so that a bad setting fails before any training is lost: the template when the
    callback is made (``checkpoint_template.check_template``), its folder (made, and written
    to) at ``on_train_begin``, and its log keys at the first save, before anything else.
    A model whose weights hold NaN or infinity is not saved: a RuntimeWarning names the
    first such weight, the file keeps its last good contents and training goes on.

    Raises:
        InvalidArgumentError: a bad argument, template or folder, naming the path given.
        CheckpointError: a save point whose file cannot be written.
    """

    writes_files = True

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None):
        owner = type(self).__name__
        initial_value_threshold = validation.real(owner, "initial_value_threshold",
                                                  initial_value_threshold, allow_none=True)
        super().__init__(monitor, mode, initial_value_threshold)
        self.filepath = output_paths.path_argument(owner, "filepath", filepath)
        self.verbose = arguments.verbosity(owner, verbose)
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        save_freq = arguments.save_frequency(owner, "save_freq", save_freq)
        checkpoint_template.check_template(owner, self.filepath, save_freq != "epoch")
        wrong_ending = ".keras" if save_weights_only else ".weights.h5"
        if self.filepath.endswith(wrong_ending):
            raise InvalidArgumentError(
                f"{owner}: a filepath ending in {wrong_ending!r} is for "
                f"{'a whole model' if save_weights_only else 'weights only'}, received "
                f"{self.filepath!r} with save_weights_only={save_weights_only}")
        self.save_freq = save_freq
        self._batches_since_save, self._epoch = 0, 0

    def on_train_begin(self, logs=None):
        owner = type(self).__name__
        output_paths.check_not_folder(owner, "filepath", self.filepath, self.filepath)
        output_paths.check_writable_folder(owner, "filepath", self.filepath,
                                           checkpoint_template.fixed_folder(self.filepath))

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, None, logs)
        else:
            self._resolve_direction()

    def _path(self, epoch, batch, logs):
        fields = dict(logs or {})
        fields["epoch"] = epoch + 1
        if batch is not None and "batch" not in fields:
            fields["batch"] = batch + 1
        return checkpoint_template.fill(type(self).__name__, self.filepath, fields)

    def _should_save(self, epoch, logs, path):
        """Keras's decision (and messages) for one save point."""
        if not self.save_best_only:
            if self.verbose > 0:
                print_msg(f"\nEpoch {epoch + 1}: saving model to {path}")
            return True
        current = self._current(logs, "Saving the best model is")
        if current is None:
            return True
        best = "None" if self.best is None else f"{self.best:.5f}"
        if not self._is_improvement(current, self.best):
            if self.verbose > 0:
                print_msg(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}")
            return False
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to "
                      f"{current:.5f}, saving model to {path}")
        self.best = current
        return True

    def _save(self, epoch, batch, logs):
        """One save point: the path is filled first, so a key the logs lack fails before
        anything else."""
        path = self._path(epoch, batch, logs)
        self._resolve_direction()
        bad = first_non_finite_weight(self.model)
        if bad is not None:
            warnings.warn(f"{type(self).__name__}: weight {bad!r} of model "
                          f"'{self.model.name}' holds NaN or infinity (training diverged?); "
                          f"not saved to {path!r}, which keeps its last good contents",
                          RuntimeWarning, stacklevel=3)
            return
        if not self._should_save(epoch, logs, path):
            return
        self._write(path)

    def _write(self, path):
        """Save to ``path`` (a filled template), its folder made first."""
        owner = type(self).__name__
        output_paths.check_not_folder(owner, "filepath", self.filepath, path)
        try:
            os.makedirs(os.path.dirname(path) or os.curdir, exist_ok=True)
            if self.save_weights_only:
                self.model.save_weights(path)
            else:
                self.model.save(path, tokenizer=self.model.tokenizer)
        except OSError as error:
            raise CheckpointError(f"{owner}: cannot write {path!r} (filepath "
                                  f"{self.filepath!r}): {error.strerror or error}") from None

    def get_state(self):
        return {"best": self.best, "batches_since_save": self._batches_since_save}

    def set_state(self, state):
        self.best = None if state["best"] is None else float(state["best"])
        self._batches_since_save = int(state.get("batches_since_save", 0))
