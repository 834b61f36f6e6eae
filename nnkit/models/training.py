"""The training API shared by models: compile, fit, evaluate, predict, save.

A model class gives ``forward(x, training, mask) -> (output, mask)``,
``backward(dy)``, ``named_parameters()``/``named_gradients()``/
``named_gradient_rows()`` and ``zero_grads()``; this mixin turns them into Keras's training loop.
"""
import math

import numpy

from nnkit import config, losses, metrics as metrics_module, optimizers
from nnkit.backend import get_backend
from nnkit.callbacks.base import CallbackList
from nnkit.callbacks.history import History
from nnkit.errors import InvalidArgumentError, NotBuiltError
from nnkit.models import data
from nnkit.models.interrupt import stop_on_interrupt
from nnkit.models.resume import FitProgress


def loss_weighting(entries_shape, mask, sample_weight):
    """Weights and normaliser of the per-entry loss.

    Per-example weights ``(N,)`` average over all entries (Keras); a mask or
    per-step weights ``(N, T)`` average over the valid steps only (theano-lstm's
    masked loss). Returns ``(weights or None, normaliser)``.
    """
    backend = get_backend()
    rank = len(entries_shape)
    weights = None if sample_weight is None else backend.asarray(sample_weight,
                                                                 dtype=config.floatx())
    per_step = (mask is not None and mask.ndim == rank) or (
        weights is not None and rank > 1 and weights.ndim == rank)
    if weights is not None and weights.ndim < rank:
        weights = weights.reshape(weights.shape + (1,) * (rank - weights.ndim))
    if per_step and mask is not None and mask.ndim == rank:
        valid = mask.astype(config.floatx())
        weights = valid if weights is None else valid * weights
    if weights is None:
        return None, float(math.prod(entries_shape))
    weights = backend.xp.broadcast_to(weights, entries_shape)
    if per_step:
        return weights, max(float((weights > 0).sum()), 1.0)
    return weights, float(math.prod(entries_shape))


class _Tracker:
    """Running loss and metrics over the batches of one pass."""

    def __init__(self, model):
        self.metrics = [metrics_module.get(name, model.loss) for name in model.metric_names]
        self.loss_sum = 0.0
        self.count = 0.0

    def update(self, loss_value, output, y, weights, normaliser):
        xp = get_backend().xp
        self.loss_sum += loss_value * normaliser
        self.count += normaliser
        for metric in self.metrics:
            metric.update(xp, output, y, weights)

    def result(self):
        logs = {"loss": self.loss_sum / self.count if self.count else float("nan")}
        logs.update({metric.name: metric.result() for metric in self.metrics})
        return logs


class Trainer:
    """compile / fit / evaluate / predict / train_on_batch for a model."""

    def __init__(self):
        self.optimizer = None
        self.loss = None
        self.metric_names = []
        self.stop_training = False
        self.history = None
        self.tokenizer = None
        self._batch = None
        self.gradient_hook = None  # hook(model, (x, y, sample_weight), loss) -> False skips the step
        self._progress = None  # nnkit.models.resume.FitProgress of the running fit

    def compile(self, optimizer="rmsprop", loss=None, metrics=None):
        """Choose the optimizer (instance or name), the loss (name or Loss) and metrics."""
        self.optimizer = optimizers.get(optimizer)
        if loss is None:
            raise InvalidArgumentError("compile: a loss is required, e.g. "
                                       "loss='sparse_categorical_crossentropy'")
        self.loss = losses.get(loss)
        metric_names = list(metrics or [])
        for name in metric_names:
            metrics_module.get(name, self.loss)
        self.metric_names = metric_names

    def _require_compiled(self, what):
        if self.loss is None:
            raise NotBuiltError(f"{what}: call model.compile(optimizer, loss) first")

    # ---- one batch -------------------------------------------------------
    def forward_loss(self, x, y, sample_weight=None, training=True):
        """Forward pass and loss on one batch (keeps what backward_loss needs)."""
        output, mask = self.forward(x, training=training)
        y = get_backend().asarray(y)
        self.loss.check_labels(output, y)
        weights, normaliser = loss_weighting(tuple(output.shape[:-1]), mask, sample_weight)
        value = self.loss.forward(output, y, weights, normaliser)
        self._batch = (output, y, weights, normaliser)
        return value

    def backward_loss(self):
        """Backpropagate the last ``forward_loss``; returns dL/dx (None for ids)."""
        self._batch = None
        return self.backward(self.loss.backward())

    def _train_step(self, x, y, sample_weight, tracker):
        self.zero_grads()
        value = self.forward_loss(x, y, sample_weight, training=True)
        output, y_device, weights, normaliser = self._batch
        self.backward_loss()
        if self.gradient_hook is not None and \
                self.gradient_hook(self, (x, y, sample_weight), value) is False:
            return value  # e.g. NaNGuard: non-finite loss or gradients, step rejected
        tracker.update(value, output, y_device, weights, normaliser)
        self.optimizer.apply_gradients(self.named_parameters(), self.named_gradients(),
                                       self.named_gradient_rows())
        return value

    def _prepare(self, x, y, sample_weight, what):
        self._require_compiled(what)
        x = data.as_inputs(x)
        if self.built:  # validate x without a forward pass (train_on_batch calls this per batch)
            self.layers[0].check_input(x[:1])
            output_shape = (x.shape[0],) + self.compute_output_shape(x.shape[1:])
        else:
            output_shape = (x.shape[0],) + tuple(self(x[:1]).shape[1:])
        y = data.as_targets(y, self.loss, output_shape)
        data.check_lengths(x, y, sample_weight)
        sample_weight = data.as_sample_weight(sample_weight, output_shape[:-1])
        return x, y, sample_weight

    def train_on_batch(self, x, y, sample_weight=None):
        """One optimizer step on ``(x, y)``; returns ``{"loss": ..., metric: ...}``."""
        x, y, sample_weight = self._prepare(x, y, sample_weight, "train_on_batch")
        tracker = _Tracker(self)
        self._train_step(x, y, sample_weight, tracker)
        return tracker.result()

    # ---- loops -----------------------------------------------------------
    def fit(self, x, y, batch_size=32, epochs=1, verbose=1, callbacks=None, validation_split=0.0,
            validation_data=None, shuffle=True, sample_weight=None, initial_epoch=0,
            resume_from=None):
        """Train for ``epochs`` epochs; returns the History callback.

        Args:
            x: ``(N, ...)`` inputs (integer ids for Embedding, floats or a
                SciPy CSR matrix otherwise).
            y: targets (class ids ``(N,)`` / ``(N, T)`` or arrays like the output).
            shuffle: True, False or "bucket" (batches of similar sequence length).
            validation_split: fraction of the *last* examples held out (before shuffling).
            validation_data: ``(x_val, y_val)`` or ``(x_val, y_val, sample_weight_val)``.
            callbacks: Callback instances (History is always added).
            resume_from: a checkpoint written by ``BackupAndRestore``; training
                continues exactly where it stopped (same batches, same loss trace).
                Without it, an existing ``BackupAndRestore`` file is used.
        """
        batch_size = data.check_batch_size(batch_size)
        if not 0.0 <= validation_split < 1.0:
            raise InvalidArgumentError(f"validation_split must be in [0, 1), received "
                                       f"{validation_split!r}")
        x, y, sample_weight = self._prepare(x, y, sample_weight, "fit")
        if validation_split and validation_data is None:
            cut = int(x.shape[0] * (1.0 - validation_split))
            validation_data = (x[cut:], y[cut:]) + (() if sample_weight is None
                                                    else (sample_weight[cut:],))
            x, y = x[:cut], y[:cut]
            sample_weight = None if sample_weight is None else sample_weight[:cut]
        if validation_data is not None:
            validation_data = self._prepare(*self._unpack_validation(validation_data), "fit")
        self.history = History()
        # History goes after the user's callbacks (as in Keras), so it records what they
        # add to the epoch logs (e.g. LearningRateScheduler's "lr").
        callback_list = CallbackList(list(callbacks or []) + [self.history], self, verbose,
                                     epochs, -(-x.shape[0] // batch_size))
        self.stop_training = False
        callback_list.on_train_begin({})
        self._progress = progress = FitProgress(self, callback_list.callbacks, x, batch_size,
                                                shuffle, resume_from)
        with stop_on_interrupt(self):
            for epoch in range(progress.first_epoch(initial_epoch), epochs):
                callback_list.on_epoch_begin(epoch, {})
                tracker = _Tracker(self)
                for step, index in progress.batches(epoch, tracker):
                    callback_list.on_train_batch_begin(step, {})
                    self._train_step(x[index], y[index], data.take(sample_weight, index),
                                     tracker)
                    callback_list.on_train_batch_end(step, tracker.result())
                    if self.stop_training:
                        break
                logs = tracker.result()
                if validation_data is not None:
                    logs.update({f"val_{key}": value for key, value in
                                 self._evaluate_prepared(*validation_data, batch_size).items()})
                callback_list.on_epoch_end(epoch, logs)
                if self.stop_training:
                    break
        callback_list.on_train_end({})
        return self.history

    @staticmethod
    def _unpack_validation(validation_data):
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
            raise InvalidArgumentError("validation_data must be (x_val, y_val) or "
                                       "(x_val, y_val, sample_weight_val)")
        return tuple(validation_data) + (None,) * (3 - len(validation_data))

    def evaluate(self, x, y, batch_size=32, sample_weight=None, verbose=0):
        """Loss and metrics on ``(x, y)`` in inference mode: ``{"loss": ..., "accuracy": ...}``."""
        batch_size = data.check_batch_size(batch_size)
        x, y, sample_weight = self._prepare(x, y, sample_weight, "evaluate")
        return self._evaluate_prepared(x, y, sample_weight, batch_size)

    def _evaluate_prepared(self, x, y, sample_weight, batch_size):
        tracker = _Tracker(self)
        for index in data.batch_indices(x.shape[0], batch_size, False):
            value = self.forward_loss(x[index], y[index], data.take(sample_weight, index),
                                      training=False)
            tracker.update(value, *self._batch)
            self._batch = None
        return tracker.result()

    def predict(self, x, batch_size=32, verbose=0):
        """Outputs for ``x`` as a host NumPy array, computed batch by batch."""
        batch_size = data.check_batch_size(batch_size)
        x = data.as_inputs(x)
        backend = get_backend()
        order = data.length_order(x)
        if order is None:
            return numpy.concatenate([backend.to_numpy(self(x[index], training=False)) for index
                                      in data.batch_indices(x.shape[0], batch_size, False)])
        # token ids: rows are independent, so batch similar lengths together (fewer steps
        # for a masked recurrent layer), then restore the original order
        outputs = numpy.concatenate([backend.to_numpy(self(x[order[index]], training=False))
                                     for index in data.batch_indices(x.shape[0], batch_size,
                                                                     False)])
        result = numpy.empty_like(outputs)
        result[order] = outputs
        return result

    # ---- checkpoints -----------------------------------------------------
    def save(self, path, include_optimizer=True, tokenizer=None):
        """Write architecture, weights, optimizer state (and tokenizer) to one HDF5 file.

        The write is atomic: a crash leaves the old file or the new one, never a mix.
        """
        from nnkit.saving.hdf5 import save_model
        save_model(self, path, include_optimizer=include_optimizer, tokenizer=tokenizer)

    def save_weights(self, path):
        """Write only the weights (HDF5, atomic)."""
        from nnkit.saving.hdf5 import save_weights
        save_weights(self, path)

    def load_weights(self, path):
        """Read weights written by ``save_weights`` or ``save`` into this built model."""
        from nnkit.saving.hdf5 import load_weights
        load_weights(self, path)
