"""TensorBoard: event files of the training that TensorBoard opens, written by tensorboardX."""
import os
import time

from nnkit import validation
from nnkit.backend import get_backend
from nnkit.callbacks import arguments, output_paths
from nnkit.callbacks.base import Callback
from nnkit.errors import InvalidArgumentError


class TensorBoard(Callback):
    """Keras's ``TensorBoard`` callback, written through ``tensorboardX`` (the optional extra
    ``pip install "nnkit[tensorboard]"``; imported only when the first event is written).

    Writes, as Keras lays them out: ``<log_dir>/train`` and ``<log_dir>/validation`` with
    the scalars ``epoch_<key>`` of every epoch's logs (``val_`` keys go to validation, without
    the prefix), ``epoch_learning_rate``, ``batch_<key>`` every ``update_freq`` batches when
    it is a number, ``evaluation_<key>_vs_iterations`` after each evaluation pass, the
    steps per second when asked, and histograms of every weight every ``histogram_freq``
    epochs.

    Args:
        log_dir: folder of the event files (made, and written to, when training begins).
        histogram_freq: epochs between weight histograms (0: none; an integer >= 0).
        write_graph: accepted; Keras 3 does not write the graph either.
        write_images: must be False (nnkit writes no weight images).
        write_steps_per_second: also write ``batch_steps_per_second`` and
            ``epoch_steps_per_second``.
        update_freq: "epoch", "batch" (= 1) or a number of batches.
        profile_batch: must be 0 (Keras itself has no profiler on its NumPy backend;
            ``fit(profile=True)`` is nnkit's).
        embeddings_freq: must be 0 (no embedding projector); ``embeddings_metadata`` is then
            unused, as in Keras.
    """

    writes_files = True

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0,
                 embeddings_freq=0, embeddings_metadata=None):
        super().__init__()
        if isinstance(update_freq, str) and update_freq == "batch":
            update_freq = 1
        update_freq = arguments.save_frequency("TensorBoard", "update_freq", update_freq)
        for name, value in (("write_images", write_images), ("profile_batch", profile_batch),
                            ("embeddings_freq", embeddings_freq)):
            if value:
                raise InvalidArgumentError(f"TensorBoard: nnkit does not provide {name} "
                                           f"(received {name}={value!r}); leave it at its "
                                           f"default")
        self.log_dir = output_paths.path_argument("TensorBoard", "log_dir", log_dir)
        self.update_freq = update_freq
        self.histogram_freq = validation.non_negative_int("TensorBoard", "histogram_freq",
                                                          histogram_freq)
        self.write_graph, self.write_steps_per_second = write_graph, write_steps_per_second
        self.embeddings_metadata = embeddings_metadata
        self._writers, self._batches, self._in_fit = {}, 0, False
        self._batch_started = self._epoch_started = self._epoch_iterations = None

    def _writer(self, split):
        """The ``SummaryWriter`` of "train" or "validation", opened on first use (in ``fit``,
        "train" at ``on_train_begin``: an unusable ``log_dir`` fails there)."""
        if split not in self._writers:
            try:
                from tensorboardX import SummaryWriter
            except ImportError:
                raise InvalidArgumentError('TensorBoard needs tensorboardX: pip install '
                                           '"nnkit[tensorboard]"') from None
            folder = os.path.join(self.log_dir, split)
            output_paths.check_writable_folder("TensorBoard", "log_dir", self.log_dir, folder)
            self._writers[split] = SummaryWriter(folder)
        return self._writers[split]

    def on_train_begin(self, logs=None):
        self._in_fit = True
        self._writer("train")
        self._batches = self.model.optimizer.iterations

    def on_train_batch_begin(self, batch, logs=None):
        self._batch_started = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self._batches += 1
        if self.update_freq == "epoch" or self._batches % self.update_freq:
            return
        scalars = dict(logs or {})
        if self.write_steps_per_second:
            scalars["steps_per_second"] = 1.0 / (time.perf_counter() - self._batch_started)
        for key, value in scalars.items():
            self._writer("train").add_scalar(f"batch_{key}", value, self._batches)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_started = time.perf_counter()
        self._epoch_iterations = self.model.optimizer.iterations

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        train = {key: value for key, value in logs.items() if not key.startswith("val_")}
        train["learning_rate"] = float(self.model.optimizer.learning_rate)
        if self.write_steps_per_second:
            steps = self.model.optimizer.iterations - self._epoch_iterations
            train["steps_per_second"] = steps / (time.perf_counter() - self._epoch_started)
        for key, value in train.items():
            self._writer("train").add_scalar(f"epoch_{key}", value, epoch)
        for key, value in logs.items():
            if key.startswith("val_"):
                self._writer("validation").add_scalar(f"epoch_{key[4:]}", value, epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            backend = get_backend()
            for name, value in self.model.named_parameters().items():
                self._writer("train").add_histogram(name, backend.to_numpy(value), epoch)
        self._flush()

    def on_test_end(self, logs=None):
        step = self.model.optimizer.iterations if self.model.optimizer is not None else 0
        for key, value in (logs or {}).items():
            self._writer("validation").add_scalar(f"evaluation_{key}_vs_iterations", value, step)
        if self._in_fit:
            self._flush()
        else:
            self._close()

    def on_train_end(self, logs=None):
        self._in_fit = False
        self._close()

    def _flush(self):
        for writer in self._writers.values():
            writer.flush()

    def _close(self):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}
