"""The training API shared by models: compile, fit, evaluate, predict, save.

A model (``BaseModel``) gives ``call_graph(inputs, masks, training)`` →
``(outputs, masks)``, ``backward``, ``named_parameters()``/``named_gradients()``/
``named_gradient_rows()``, ``zero_grads()``, ``input_names``/``output_names``
and ``output_structure``; this mixin turns them into Keras's training loop.
Inputs, targets and sample weights are lists in model order inside the loop
(``nnkit.models.structure``); a model with one output keeps Keras's
single-output keys (``loss``, ``accuracy``), one with several adds
``<output>_loss`` and ``<output>_<metric>``.
"""
import contextlib
import copy
import math
import os

import numpy

from nnkit import config, losses, metrics as metrics_module, optimizers, profiling
from nnkit.backend import get_backend
from nnkit.callbacks.base import CallbackList
from nnkit.callbacks.history import History
from nnkit.errors import InvalidArgumentError, NotBuiltError
from nnkit.layers import table_input
from nnkit.models import data, sources, structure
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


class _OutputTracker:
    """Running loss and metrics of one output over the batches of one pass."""

    def __init__(self, loss, metric_names):
        self.metrics = [metrics_module.get(name, loss) for name in metric_names]
        seen = {}
        for metric in self.metrics:      # two metrics of one name: "auc", "auc_1" (as Keras)
            count = seen.get(metric.name, 0)
            seen[metric.name] = count + 1
            if count:
                metric.name = f"{metric.name}_{count}"
        self.loss_sum = 0.0
        self.count = 0.0

    def update(self, loss_value, output, y, weights, normaliser):
        xp = get_backend().xp
        self.loss_sum += loss_value * normaliser
        self.count += normaliser
        for metric in self.metrics:
            metric.accumulate(xp, y, output, weights)

    def loss(self):
        return self.loss_sum / self.count if self.count else float("nan")


class _Tracker:
    """Running loss and metrics of every output; ``result()`` has Keras's log keys.

    The regularisers' penalty is part of ``loss`` (as Keras), averaged with the first
    output's weights.
    """

    def __init__(self, model):
        self.names, self.weights = model.output_names, model.loss_weights
        self.outputs = [_OutputTracker(loss, names) for loss, names in
                        zip(model.losses, model.output_metric_names)]
        self.penalty_sum = 0.0

    def update(self, batch, penalty=0.0):
        for tracker, entry in zip(self.outputs, batch):
            tracker.update(*entry)
        self.penalty_sum += penalty * batch[0][-1]

    def _penalty(self):
        count = self.outputs[0].count
        return self.penalty_sum / count if count else 0.0

    def result(self):
        if len(self.outputs) == 1:
            tracker = self.outputs[0]
            return {"loss": tracker.loss() + self._penalty(),
                    **{m.name: m.result() for m in tracker.metrics}}
        logs = {"loss": sum(w * t.loss() for w, t in zip(self.weights, self.outputs)) +
                self._penalty()}
        for name, tracker in zip(self.names, self.outputs):
            logs[f"{name}_loss"] = tracker.loss()
            logs.update({f"{name}_{m.name}": m.result() for m in tracker.metrics})
        return logs


class Trainer:
    """compile / fit / evaluate / predict / train_on_batch for a model."""

    def __init__(self):
        self.optimizer = None
        self.loss = None
        self.losses, self.loss_weights, self.output_metric_names = [], [], []
        self.metric_names = []
        self.stop_training = False
        self.history = None
        self.tokenizer = None
        self._batch = None
        self._penalty = 0.0
        self.gradient_hook = None  # hook(model, (x, y, sample_weight), loss) -> False skips the step
        self._progress = None  # nnkit.models.resume.FitProgress of the running fit
        self._distribute = None  # nnkit.distributed.DataParallel of the running fit

    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None):
        """Choose the optimizer, the loss(es), their weights and the metrics.

        Args:
            optimizer: an Optimizer or its name.
            loss: a name or Loss for every output, a list in output order, or a
                dict by output-layer name.
            metrics: names for every output, a list of lists, or a dict by output name.
            loss_weights: a list or dict of floats (default 1 each); the total
                loss is ``Σ weight_i · loss_i``.
        """
        self.optimizer = optimizers.get(optimizer)
        if loss is None:
            raise InvalidArgumentError("compile: a loss is required, e.g. "
                                       "loss='sparse_categorical_crossentropy'")
        names = self.output_names
        given = structure.per_output(loss, names, "compile(loss)", setting=True)
        if any(entry is None for entry in given):
            raise InvalidArgumentError(f"compile(loss): every output needs a loss; outputs "
                                       f"{names}, received {loss!r}")
        self.losses = []
        for entry in given:                 # one Loss object (and cache) per output
            loss_object = losses.get(entry)
            self.losses.append(copy.copy(loss_object) if any(loss_object is known for known
                                                             in self.losses) else loss_object)
        weights = structure.per_output(loss_weights, names, "compile(loss_weights)", 1.0,
                                       setting=True)
        try:
            self.loss_weights = [float(w) for w in weights]
        except (TypeError, ValueError):
            raise InvalidArgumentError(f"compile(loss_weights): expected numbers, received "
                                       f"{loss_weights!r}") from None
        self.output_metric_names = structure.metrics_per_output(metrics, names)
        for loss_object, metric_names in zip(self.losses, self.output_metric_names):
            for name in metric_names:
                metrics_module.get(name, loss_object)
        self.loss = self.losses[0]
        self.metric_names = list(self.output_metric_names[0])

    def training_config(self):
        """JSON of what ``compile`` was given (lists per output when several)."""
        single = len(self.losses) == 1
        metrics = [[metrics_module.serialize(m) for m in names]
                   for names in self.output_metric_names]
        return {"loss": self.losses[0].name if single else [l.name for l in self.losses],
                "metrics": metrics[0] if single else metrics, "loss_weights": self.loss_weights}

    @property
    def metrics_names(self):
        """The log keys ``evaluate`` returns: ``loss``, then per-output losses and metrics."""
        return list(_Tracker(self).result())

    def _require_compiled(self, what):
        if self.loss is None:
            raise NotBuiltError(f"{what}: call model.compile(optimizer, loss) first")

    # ---- one batch -------------------------------------------------------
    def _as_lists(self, x, y, sample_weight):
        xs = structure.per_input(x, self.input_names, "x")
        ys = structure.per_output(y, self.output_names, "y")
        sws = structure.per_output(sample_weight, self.output_names, "sample_weight")
        return xs, ys, sws

    def forward_loss(self, x, y, sample_weight=None, training=True):
        """Forward pass and total loss ``Σ wᵢ·lossᵢ`` on one batch (keeps what backward_loss needs).

        ``x``, ``y`` and ``sample_weight`` as ``fit`` takes them (one array, a list or a dict).
        """
        return self._forward_loss(*self._as_lists(x, y, sample_weight), training)

    def _forward_loss(self, xs, ys, sws, training):
        """``forward_loss`` on lists in model order."""
        outputs, masks = self.call_graph(xs, [None] * len(xs), training)
        backend = get_backend()
        total, self._batch = 0.0, []
        for output, mask, y_i, sw_i, loss, weight in zip(outputs, masks, ys, sws, self.losses,
                                                         self.loss_weights):
            with profiling.section("loss", loss.name):
                y_i = backend.asarray(y_i)
                loss.check_labels(output, y_i)
                weights, normaliser = loss_weighting(tuple(output.shape[:-1]), mask, sw_i)
                value = loss.forward(output, y_i, weights, normaliser)
            total += weight * value
            self._batch.append((value, output, y_i, weights, normaliser))
        self._penalty = sum(layer.regularization_penalty() for layer in self.leaf_layers())
        return total + self._penalty

    def backward_loss(self, scales=None, penalty=True):
        """Backpropagate the last ``forward_loss``; returns dL/dx (None for ids).

        ``scales`` multiply each output's loss gradient (a data-parallel rank's share of the
        global batch); ``penalty=False`` leaves the regularisers' gradient out.
        """
        self._batch = None
        scales = scales or [1.0] * len(self.losses)
        with profiling.section("loss", "backward"):
            d_outputs = [loss.backward() if weight * scale == 1.0 else
                         loss.backward() * (weight * scale)
                         for loss, weight, scale in zip(self.losses, self.loss_weights, scales)]
        dx = self.backward(d_outputs if self.multiple_outputs else d_outputs[0])
        if penalty:
            for layer in self.leaf_layers():
                layer.add_regularization_grads()
        return dx

    def _train_step(self, xs, ys, sws, tracker):
        with profiling.section("optimizer", "zero gradients"):
            self.zero_grads()
        parallel = self._distribute
        if parallel is None:
            value = self._forward_loss(xs, ys, sws, True)
            batch = self._batch
            self.backward_loss()
        elif xs[0].shape[0] == 0:                 # a global batch smaller than the ranks
            value, batch = 0.0, None
            parallel.loss_scales(None, len(self.losses))
            parallel.reduce_gradients(self)
        else:
            value = self._forward_loss(xs, ys, sws, True)
            batch = self._batch
            self.backward_loss(parallel.loss_scales(batch, len(self.losses)),
                               penalty=parallel.is_chief)
            parallel.reduce_gradients(self)
        if self.gradient_hook is not None and \
                self.gradient_hook(self, (xs, ys, sws), value) is False:
            return value  # e.g. NaNGuard: non-finite loss or gradients, step rejected
        self._track(tracker, batch)
        with profiling.section("optimizer", type(self.optimizer).__name__):
            self.optimizer.apply_gradients(self.named_parameters(), self.named_gradients(),
                                           self.named_gradient_rows())
            for layer in self.leaf_layers():
                layer.apply_constraints()
        return value

    def _prepare_inputs(self, x):
        names = self.input_names
        xs = structure.per_input(x, names, "x")
        return [data.as_inputs(value, "x" if len(names) == 1 else f"x[{name!r}]")
                for value, name in zip(xs, names)]

    def _prepare(self, x, y, sample_weight, what, class_weight=None):
        """Check ``x``, ``y`` and ``sample_weight``; return them as lists in model order.

        ``class_weight`` ``{class: weight}`` multiplies each example's weight by its
        class's (Keras: one output only; classes not listed weigh 1).
        """
        self._require_compiled(what)
        xs = self._prepare_inputs(x)
        n = xs[0].shape[0]
        for name, value in zip(self.input_names, xs):
            if value.shape[0] != n:
                raise InvalidArgumentError(f"x: every input needs the same number of examples; "
                                           f"{self.input_names[0]!r} has {n}, {name!r} has "
                                           f"{value.shape[0]}")
        shapes = self.batch_output_shapes(xs)
        names = self.output_names
        single = len(names) == 1
        ys = [data.as_targets(value, loss, shape, "y" if single else f"y[{name!r}]")
              for value, loss, shape, name in zip(structure.per_output(y, names, "y"),
                                                  self.losses, shapes, names)]
        raw = structure.per_output(sample_weight, names, "sample_weight")
        for y_i, sw_i in zip(ys, raw):
            data.check_lengths(xs[0], y_i, sw_i)
        sws = [data.as_sample_weight(value, shape[:-1]) for value, shape in zip(raw, shapes)]
        if class_weight is not None:
            if len(names) != 1:
                raise InvalidArgumentError(f"{what}: class_weight is for a model with one "
                                           f"output; this one has {names} (give sample_weight)")
            sws = [data.with_class_weight(sws[0], ys[0], class_weight, self.losses[0])]
        return xs, ys, sws

    def train_on_batch(self, x, y, sample_weight=None, class_weight=None):
        """One optimizer step on ``(x, y)``; returns ``{"loss": ..., metric: ...}``."""
        xs, ys, sws = self._prepare(x, y, sample_weight, "train_on_batch", class_weight)
        tracker = _Tracker(self)
        self._train_step(xs, ys, sws, tracker)
        return tracker.result()

    def test_on_batch(self, x, y, sample_weight=None):
        """Loss and metrics of one batch in inference mode: ``{"loss": ..., metric: ...}``."""
        xs, ys, sws = self._prepare(x, y, sample_weight, "test_on_batch")
        return self._evaluate_source(sources.ArraySource(xs, ys, sws, xs[0].shape[0]))

    def predict_on_batch(self, x):
        """Outputs of one batch (no batching, no reordering), as host arrays like ``predict``."""
        xs = self._prepare_inputs(x)
        return structure.pack(self._predict_batch(xs, slice(None)), self.output_structure)

    # ---- loops -----------------------------------------------------------
    def fit(self, x, y=None, batch_size=32, epochs=1, verbose=1, callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, sample_weight=None,
            initial_epoch=0, resume_from=None, class_weight=None, steps_per_epoch=None,
            validation_steps=None, workers=None, distribute=None, profile=False):
        """Train for ``epochs`` epochs; returns the History callback.

        Args:
            x: ``(N, ...)`` inputs (integer ids for Embedding, floats or a
                SciPy CSR matrix otherwise); a list or dict by Input name for
                several inputs. Or a ``nnkit.utils.Sequence``, or a generator /
                iterator of ``(x, y)`` / ``(x, y, sample_weight)`` batches (then
                ``y`` and ``sample_weight`` come with the batches).
            y: targets (class ids ``(N,)`` / ``(N, T)`` or arrays like the
                output); a list or dict by output name for several outputs.
            shuffle: True, False or "bucket" (batches of similar sequence length);
                for a Sequence, the order of its batches.
            validation_split: fraction of the *last* examples held out (before shuffling).
            validation_data: ``(x_val, y_val)``, ``(x_val, y_val, sample_weight_val)``,
                a Sequence or a generator (with ``validation_steps``).
            callbacks: Callback instances (History is always added).
            resume_from: a checkpoint written by ``BackupAndRestore``; training
                continues exactly where it stopped (same batches, same loss trace).
                Without it, an existing ``BackupAndRestore`` file is used.
            class_weight: ``{class: weight}`` (one output): the same as a
                ``sample_weight`` of each example's class weight (times any given one).
            steps_per_epoch: batches per epoch drawn from a generator.
            workers: background threads prefetching a Sequence's or generator's
                batches (default: the Sequence's own ``workers``; 0 for generators).
            distribute: a ``nnkit.distributed.DataParallel``: every global batch of
                ``batch_size`` is split over the MPI ranks, gradients are summed (see
                ``nnkit.distributed``); every rank passes the same arrays.
            profile: True prints, after the fit, where its time went (``nnkit.profile``:
                per layer forward and backward, optimizer, batching, callbacks, ...); a
                path also writes the table there as CSV. ``history.profile`` keeps it.
        """
        self._distribute = distribute if distribute is not None and distribute.size > 1 else None
        chief = self._distribute is None or self._distribute.is_chief
        timing = contextlib.nullcontext() if not profile else profiling.profile(
            csv_path=profile if isinstance(profile, (str, os.PathLike)) else None,
            print_fn=print if chief else None)
        try:
            with timing:
                history = self._fit(x, y, batch_size, epochs, verbose, callbacks,
                                    validation_split, validation_data, shuffle, sample_weight,
                                    initial_epoch, resume_from, class_weight, steps_per_epoch,
                                    validation_steps, workers)
            if profile:
                history.profile = timing
            return history
        except BaseException as error:
            if self._distribute is not None:
                self._distribute.abort_on_error(error)
            raise
        finally:
            self._distribute = None

    def _fit(self, x, y, batch_size, epochs, verbose, callbacks, validation_split,
             validation_data, shuffle, sample_weight, initial_epoch, resume_from,
             class_weight, steps_per_epoch, validation_steps, workers):
        parallel = self._distribute
        batch_size = data.check_batch_size(batch_size)
        if not 0.0 <= validation_split < 1.0:
            raise InvalidArgumentError(f"validation_split must be in [0, 1), received "
                                       f"{validation_split!r}")
        if sources.is_batch_source(x):
            if y is not None or sample_weight is not None or class_weight is not None or \
                    validation_split:
                raise InvalidArgumentError("fit: with a Sequence or a generator, targets and "
                                           "weights come with its batches (no y, "
                                           "sample_weight, class_weight or validation_split)")
            self._require_compiled("fit")
            source = sources.make(self, x, steps_per_epoch, "fit", workers)
        else:
            with profiling.section("data conversion", "fit inputs"):
                xs, ys, sws = self._prepare(x, y, sample_weight, "fit", class_weight)
            if validation_split and validation_data is None:
                cut = int(xs[0].shape[0] * (1.0 - validation_split))
                validation_data = sources.ArraySource(
                    [v[cut:] for v in xs], [v[cut:] for v in ys],
                    [data.take(v, slice(cut, None)) for v in sws], batch_size)
                xs, ys = [v[:cut] for v in xs], [v[:cut] for v in ys]
                sws = [data.take(v, slice(None, cut)) for v in sws]
            source = sources.ArraySource(xs, ys, sws, batch_size)
        validation = self._evaluation_source(validation_data, batch_size, validation_steps,
                                             "validation_data")
        if parallel is not None:
            from nnkit.distributed.split_source import SplitSource
            source = SplitSource(source, parallel)
            validation = None if validation is None else SplitSource(validation, parallel)
            parallel.broadcast_start(self)
            verbose = verbose if parallel.is_chief else 0
        self.history = History()
        # History goes after the user's callbacks (as in Keras), so it records what they
        # add to the epoch logs (e.g. LearningRateScheduler's "lr").
        callback_list = CallbackList(list(callbacks or []) + [self.history], self, verbose,
                                     epochs, len(source),
                                     writes_files=parallel is None or parallel.is_chief)
        self.stop_training = False
        callback_list.on_train_begin({})
        self._progress = progress = FitProgress(self, callback_list.callbacks, source, batch_size,
                                                shuffle, resume_from)
        with stop_on_interrupt(self):
            for epoch in range(progress.first_epoch(initial_epoch), epochs):
                callback_list.on_epoch_begin(epoch, {})
                tracker = _Tracker(self)
                for step, index in progress.batches(epoch, tracker):
                    callback_list.on_train_batch_begin(step, {})
                    with profiling.section("batching", "fit batches"):
                        batch = source.batch(index, step)
                    self._train_step(*batch, tracker)
                    callback_list.on_train_batch_end(step, tracker.result())
                    if self.stop_training:
                        break
                source.end_epoch()
                logs = tracker.result()
                if validation is not None:
                    logs.update({f"val_{key}": value for key, value in
                                 self._evaluate_source(validation).items()})
                callback_list.on_epoch_end(epoch, logs)
                if self.stop_training:
                    break
        callback_list.on_train_end({})
        return self.history

    def _evaluation_source(self, value, batch_size, steps, what):
        """A source for ``validation_data`` / ``evaluate``'s data (None stays None)."""
        if value is None or isinstance(value, sources.ArraySource):
            return value
        if sources.is_batch_source(value):
            return sources.make(self, value, steps, what)
        if not isinstance(value, (tuple, list)) or len(value) not in (2, 3):
            raise InvalidArgumentError(f"{what} must be (x_val, y_val), (x_val, y_val, "
                                       f"sample_weight_val), a Sequence or a generator")
        x, y, sample_weight = tuple(value) + (None,) * (3 - len(value))
        return sources.ArraySource(*self._prepare(x, y, sample_weight, "fit"), batch_size)

    def evaluate(self, x, y=None, batch_size=32, sample_weight=None, verbose=0, steps=None):
        """Loss and metrics on ``(x, y)`` in inference mode: ``{"loss": ..., "accuracy": ...}``.

        ``x`` may be a Sequence or a generator of batches (``steps`` of them).
        """
        batch_size = data.check_batch_size(batch_size)
        if sources.is_batch_source(x):
            self._require_compiled("evaluate")
            return self._evaluate_source(sources.make(self, x, steps, "evaluate"))
        xs, ys, sws = self._prepare(x, y, sample_weight, "evaluate")
        return self._evaluate_source(sources.ArraySource(xs, ys, sws, batch_size))

    def _evaluate_source(self, source):
        tracker = _Tracker(self)
        batches = source.epoch_batches(False)
        source.start(batches)
        with table_input.weights_fixed():
            for step, index in enumerate(batches):
                with profiling.section("batching", "evaluation batches"):
                    xs, ys, sws = source.batch(index, step)
                batch = None
                if xs[0].shape[0]:                     # empty: a data-parallel rank's part
                    self._forward_loss(xs, ys, sws, False)
                    batch, self._batch = self._batch, None
                self._track(tracker, batch)
        source.stop()
        return tracker.result()

    def _track(self, tracker, batch):
        """Add one batch's loss and metrics (in a data-parallel fit: every rank's)."""
        with profiling.section("metrics", "loss and metrics"):
            if self._distribute is not None:
                self._distribute.update_tracker(tracker, batch, self._penalty)
            elif batch is not None:
                tracker.update(batch, self._penalty)

    def predict(self, x, batch_size=32, verbose=0, steps=None):
        """Outputs for ``x`` as host NumPy arrays (a list or dict as the model's outputs).

        ``x`` may be a Sequence or a generator (``steps`` batches) of inputs, or of
        tuples whose first entry is the inputs.
        """
        batch_size = data.check_batch_size(batch_size)
        order = None
        with table_input.weights_fixed():             # no weight changes during predict
            if sources.is_batch_source(x):
                pieces = [self._predict_batch(self._prepare_inputs(
                    item[0] if isinstance(item, tuple) else item), slice(None))
                    for item in _items(x, steps)]
            else:
                xs = self._prepare_inputs(x)
                n = xs[0].shape[0]
                # token ids: rows are independent, so batch similar lengths together (fewer
                # steps for a masked recurrent layer), then restore the original order
                order = data.length_order(xs[0]) if len(xs) == 1 else None
                pieces = [self._predict_batch(xs, index if order is None else order[index])
                          for index in data.batch_indices(n, batch_size, False)]
        results = []
        for column in zip(*pieces):
            joined = numpy.concatenate(column)
            if order is not None:
                restored = numpy.empty_like(joined)
                restored[order] = joined
                joined = restored
            results.append(joined)
        return structure.pack(results, self.output_structure)

    def _predict_batch(self, xs, rows):
        """Host outputs for the examples ``rows`` of every input."""
        backend = get_backend()
        with profiling.section("batching", "predict batches"):
            xs = [v[rows] for v in xs]
        outputs, _ = self.call_graph(xs, [None] * len(xs), False)
        with profiling.section("data conversion", "outputs to host"):
            return [backend.to_numpy(output) for output in outputs]

    # ---- checkpoints -----------------------------------------------------
    def save(self, path, include_optimizer=True, tokenizer=None):
        """Write architecture, weights, optimizer state (and tokenizer) to one HDF5 file;
        a ``.keras`` path gets a Keras 3 archive instead (architecture, weights, compile
        settings; no optimizer state or tokenizer), which ``keras.saving.load_model`` opens.

        The write is atomic: a crash leaves the old file or the new one, never a mix.

        Raises:
            CheckpointError: ``.keras`` for a model with a layer Keras has no equivalent for.
        """
        if str(path).endswith(".keras"):
            from nnkit.keras_files.files import save_keras_archive
            save_keras_archive(self, path)
            return
        from nnkit.saving.hdf5 import save_model
        save_model(self, path, include_optimizer=include_optimizer, tokenizer=tokenizer)

    def save_weights(self, path):
        """Write only the weights (HDF5, atomic); a ``.weights.h5`` path gets Keras 3's layout
        (``layers/<key>/vars/<i>``), which Keras's ``load_weights`` reads."""
        if str(path).endswith(".weights.h5"):
            from nnkit.keras_files.files import save_keras_weights
            save_keras_weights(self, path)
            return
        from nnkit.saving.hdf5 import save_weights
        save_weights(self, path)

    def load_weights(self, path):
        """Read weights written by ``save_weights`` or ``save``, or Keras's weight files
        (``.weights.h5``, ``.keras``, Keras 2 ``.h5``), into this built model."""
        from nnkit.saving.hdf5 import load_weights
        load_weights(self, path)


def _items(x, steps):
    """The items of a Sequence (all) or a generator (``steps``) for ``predict``."""
    if isinstance(x, sources.Sequence):
        return [x[i] for i in range(len(x))]
    if steps is None:
        return list(x)
    items = []
    for step in range(steps):
        try:
            items.append(next(x))
        except StopIteration:
            raise InvalidArgumentError(f"predict: the generator ended at batch {step} of "
                                       f"{steps}") from None
    return items
