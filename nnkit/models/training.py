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
import os

import numpy

from nnkit import config, losses, metrics as metrics_module, optimizers, profiling, saving
from nnkit.backend import get_backend
from nnkit.callbacks.callback_list import CallbackList, callback_items
from nnkit.callbacks.history import History
from nnkit.errors import InvalidArgumentError, NotBuiltError
from nnkit.export import to_onnx
from nnkit.models import data, sources, structure
from nnkit.models.fit_settings import FitSettings
from nnkit.models.interrupt import stop_on_interrupt
from nnkit.models.loss_weighting import loss_weighting
from nnkit.models.resume import FitProgress
from nnkit.models.strategy import LOCAL
from nnkit.models.tracker import BatchLoss, Tracker, keras_order, keras_results


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
        self._progress = None  # nnkit.models.resume.FitProgress of the running fit

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
        if not names:
            raise InvalidArgumentError(f"compile: model '{self.name}' has no layers; add layers "
                                       f"before compiling")
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
        stored = [losses.serialize(loss) for loss in self.losses]
        return {"loss": stored[0] if single else stored,
                "metrics": metrics[0] if single else metrics, "loss_weights": self.loss_weights}

    @property
    def metrics_names(self):
        """The names of ``evaluate``'s values, in the order of its list: ``loss``, the
        metrics, then per-output losses (Keras 3 lists its metric objects here instead)."""
        return keras_order(Tracker(self).result())

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
        return self._forward_loss(*self._as_lists(x, y, sample_weight), training)[0]

    def _forward_loss(self, xs, ys, sws, training, plan=None):
        """``forward_loss`` on lists in model order: ``(total loss, BatchLoss)``; ``plan``: the
        ``InferencePlan`` of a running evaluation."""
        outputs, masks = self.call_graph(xs, [None] * len(xs), training, plan)
        backend = get_backend()
        total, entries = 0.0, []
        for output, mask, y_i, sw_i, loss, weight in zip(outputs, masks, ys, sws, self.losses,
                                                         self.loss_weights):
            with profiling.section("loss", loss.name):
                y_i = backend.asarray(y_i)
                loss.check_labels(output, y_i)
                weights, normaliser = loss_weighting(tuple(output.shape[:-1]), mask, sw_i)
                value = loss.forward(output, y_i, weights, normaliser)
            total += weight * value
            entries.append((value, output, y_i, weights, normaliser))
        penalty = sum(layer.regularization_penalty() for layer in self.leaf_layers())
        return total + penalty, BatchLoss(entries, penalty)

    def backward_loss(self, scales=None, penalty=True):
        """Backpropagate the last ``forward_loss``; returns dL/dx (None for ids).

        ``scales`` multiply each output's loss gradient (a data-parallel rank's share of the
        global batch); ``penalty=False`` leaves the regularisers' gradient out.
        """
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

    def _train_step(self, xs, ys, sws, tracker, strategy=LOCAL, callbacks=None):
        """One optimizer step; ``callbacks`` (a CallbackList) may reject it after backward."""
        with profiling.section("optimizer", "zero gradients"):
            self.zero_grads()
        value, batch = strategy.compute_gradients(self, xs, ys, sws)
        if callbacks is not None and not callbacks.on_gradients((xs, ys, sws), value):
            return value  # e.g. NaNGuard: non-finite loss or gradients, step rejected
        with profiling.section("metrics", "loss and metrics"):
            strategy.track(tracker, batch)
        with profiling.section("optimizer", type(self.optimizer).__name__):
            self.optimizer.apply_gradients(self.named_parameters(), self.named_gradients(),
                                           self.named_gradient_rows())
            for layer in self.leaf_layers():
                layer.apply_constraints()
        return value

    def _prepare_inputs(self, x):
        self.adopt_inputs(x if isinstance(x, (list, tuple)) else [x])
        names = self.input_names
        xs = structure.per_input(x, names, "x")
        return [data.as_inputs(value, "x" if len(names) == 1 else f"x[{name!r}]", strings)
                for value, name, strings in zip(xs, names, self.takes_strings())]

    def _prepare(self, x, y, sample_weight, what, class_weight=None):
        """Check ``x``, ``y`` and ``sample_weight``; return them as lists in model order.

        ``class_weight`` ``{class: weight}`` multiplies each example's weight by its
        class's (Keras: one output only; classes not listed weigh 1).
        """
        self._require_compiled(what)
        if y is None:
            raise InvalidArgumentError(f"{what}: y is required: the loss compares the outputs "
                                       f"with targets (pass y, or a Sequence/generator that "
                                       f"yields (x, y) batches)")
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
            sws = [data.with_class_weight(sws[0], ys[0], class_weight, self.losses[0],
                                          shapes[0][-1])]
        return xs, ys, sws

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict=False):
        """One optimizer step on ``(x, y)``; returns the loss and metrics as ``evaluate`` does."""
        xs, ys, sws = self._prepare(x, y, sample_weight, "train_on_batch", class_weight)
        tracker = Tracker(self)
        self._train_step(xs, ys, sws, tracker)
        return keras_results(tracker.result(), return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Loss and metrics of one batch in inference mode, returned as ``evaluate`` does."""
        xs, ys, sws = self._prepare(x, y, sample_weight, "test_on_batch")
        return keras_results(
            self._evaluate_source(sources.ArraySource(xs, ys, sws, xs[0].shape[0])), return_dict)

    def predict_on_batch(self, x):
        """Outputs of one batch (no batching, no reordering), as host arrays like ``predict``."""
        xs = self._prepare_inputs(x)
        return structure.pack(self._predict_batch(xs, slice(None), self.inference_plan()),
                              self.output_structure)

    # ---- loops -----------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1, resume_from=None, workers=None,
            distribute=None, profile=False):
        """Train for ``epochs`` epochs; returns the History callback.

        Keras 3's arguments in Keras's order (``batch_size`` None means 32; ``verbose``
        "auto" means 1: a progress bar per epoch; 2: one line per epoch; 0: silent), then
        nnkit's own (``resume_from``, ``workers``, ``distribute``, ``profile``).

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
            validation_data: ``(x_val, y_val)``, ``(x_val, y_val, sample_weight_val)``
                (a tuple or a list), a Sequence or a generator (with ``validation_steps``).
            validation_batch_size: batch size of the validation pass (default ``batch_size``).
            validation_freq: validate every this many epochs (an int), or after the epochs
                of a list (1-based, as Keras).
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
        strategy = distribute if distribute is not None and distribute.size > 1 else LOCAL
        settings = FitSettings(x, y, batch_size, epochs, verbose, callbacks, validation_split,
                               validation_data, shuffle, sample_weight, initial_epoch,
                               resume_from, class_weight, steps_per_epoch, validation_steps,
                               workers, validation_batch_size, validation_freq)
        timing = contextlib.nullcontext() if not profile else profiling.profile(
            csv_path=profile if isinstance(profile, (str, os.PathLike)) else None,
            print_fn=print if strategy.is_chief else None)
        try:
            with timing:
                history = self._fit(settings, strategy)
        except BaseException as error:
            strategy.abort_on_error(error)
            raise
        if profile:
            history.profile = timing
        return history

    def _fit(self, settings, strategy):
        """The fit loop over ``settings`` (a ``FitSettings``) with ``strategy``'s hooks."""
        batch_size = data.check_batch_size(settings.batch_size)
        source, validation = self._fit_sources(settings, batch_size)
        source, validation = strategy.prepare_fit(self, source, validation)
        verbose = data.check_verbose(settings.verbose) if strategy.is_chief else 0
        self.history = History()
        # History goes after the user's callbacks (as in Keras), so it records what they
        # add to the epoch logs (e.g. LearningRateScheduler's "lr").
        callback_list = CallbackList(callback_items(settings.callbacks) + [self.history], self,
                                     verbose, settings.epochs, len(source),
                                     writes_files=strategy.is_chief)
        self.stop_training = False
        callback_list.on_train_begin({})
        self._progress = progress = FitProgress(self, callback_list.callbacks, source,
                                                batch_size, settings.shuffle,
                                                settings.resume_from, strategy)
        epochs, max_steps = settings.epochs, config.max_steps_per_epoch()
        if config.max_epochs() is not None:           # Keras's KERAS_MAX_EPOCHS cap
            epochs = min(epochs, config.max_epochs())
        with stop_on_interrupt(self):
            for epoch in range(progress.first_epoch(settings.initial_epoch), epochs):
                callback_list.on_epoch_begin(epoch, {})
                tracker = Tracker(self)
                for step, index in progress.batches(epoch, tracker):
                    if max_steps is not None and step >= max_steps:
                        break                         # Keras's KERAS_MAX_STEPS_PER_EPOCH cap
                    callback_list.on_train_batch_begin(step, {})
                    with profiling.section("batching", "fit batches"):
                        batch = source.batch(index, step)
                    self._train_step(*batch, tracker, strategy, callback_list)
                    callback_list.on_train_batch_end(step, tracker.result())
                    if self.stop_training:
                        break
                source.end_epoch()
                logs = tracker.result()
                if validation is not None and settings.validates_after(epoch):
                    logs.update({f"val_{key}": value for key, value in
                                 self._evaluate_source(validation, strategy,
                                                       callback_list).items()})
                callback_list.on_epoch_end(epoch, logs)
                if self.stop_training:
                    break
        callback_list.on_train_end({})
        return self.history

    def _fit_sources(self, settings, batch_size):
        """The training and validation sources of one fit (validation None when not asked)."""
        if not 0.0 <= settings.validation_split < 1.0:
            raise InvalidArgumentError(f"validation_split must be in [0, 1), received "
                                       f"{settings.validation_split!r}")
        validation_data = settings.validation_data
        if sources.is_batch_source(settings.x):
            if settings.y is not None or settings.sample_weight is not None or \
                    settings.class_weight is not None or settings.validation_split:
                raise InvalidArgumentError("fit: with a Sequence or a generator, targets and "
                                           "weights come with its batches (no y, "
                                           "sample_weight, class_weight or validation_split)")
            self._require_compiled("fit")
            source = sources.make(self, settings.x, settings.steps_per_epoch, "fit",
                                  settings.workers)
        else:
            with profiling.section("data conversion", "fit inputs"):
                xs, ys, sws = self._prepare(settings.x, settings.y, settings.sample_weight,
                                            "fit", settings.class_weight)
            if settings.validation_split and validation_data is None:
                n = xs[0].shape[0]
                cut = int(n * (1.0 - settings.validation_split))
                if cut == 0 or cut == n:
                    raise InvalidArgumentError(
                        f"fit: validation_split={settings.validation_split} of {n} examples "
                        f"leaves {cut} for training and {n - cut} for validation; both need "
                        f"at least one")
                validation_data = sources.ArraySource(
                    [v[cut:] for v in xs], [v[cut:] for v in ys],
                    [data.take(v, slice(cut, None)) for v in sws], batch_size)
                xs, ys = [v[:cut] for v in xs], [v[:cut] for v in ys]
                sws = [data.take(v, slice(None, cut)) for v in sws]
            source = sources.ArraySource(xs, ys, sws, batch_size)
        validation_batch_size = data.check_batch_size(settings.validation_batch_size or
                                                      batch_size, "validation_batch_size")
        validation = self._evaluation_source(validation_data, validation_batch_size,
                                             settings.validation_steps, "validation_data")
        return source, validation

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

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False):
        """Loss and metrics on ``(x, y)`` in inference mode, as Keras 3 returns them.

        Returns:
            the loss (a float) when the model has no metrics and one output; else the list
            ``[loss, *metrics]`` in ``metrics_names`` order; with ``return_dict=True`` the
            dict ``{"loss": ..., "accuracy": ...}``.

        ``x`` may be a Sequence or a generator of batches (``steps`` of them);
        ``batch_size`` None means 32. ``verbose`` is checked as Keras checks it and shows
        nothing (no progress bar outside ``fit``).
        """
        batch_size = data.check_batch_size(32 if batch_size is None else batch_size)
        verbose = data.check_verbose(verbose)
        if sources.is_batch_source(x):
            self._require_compiled("evaluate")
            source = sources.make(self, x, steps, "evaluate")
        else:
            source = sources.ArraySource(*self._prepare(x, y, sample_weight, "evaluate"),
                                         batch_size)
        callback_list = CallbackList(callbacks, self, verbose, 1, len(source))
        return keras_results(self._evaluate_source(source, callbacks=callback_list), return_dict)

    def _evaluate_source(self, source, strategy=LOCAL, callbacks=None):
        """Loss and metrics over ``source``'s batches in inference mode (one inference plan);
        ``callbacks`` (a CallbackList) get Keras's ``on_test_*`` hooks."""
        tracker = Tracker(self)
        plan = self.inference_plan()
        batches = source.epoch_batches(False)
        if callbacks is not None:
            callbacks.on_test_begin({})
        source.start(batches)
        for step, index in enumerate(batches):
            if callbacks is not None:
                callbacks.on_test_batch_begin(step, {})
            with profiling.section("batching", "evaluation batches"):
                xs, ys, sws = source.batch(index, step)
            batch = None
            if xs[0].shape[0]:                     # empty: a data-parallel rank's part
                batch = self._forward_loss(xs, ys, sws, False, plan)[1]
            with profiling.section("metrics", "loss and metrics"):
                strategy.track(tracker, batch)
            if callbacks is not None:
                callbacks.on_test_batch_end(step, tracker.result())
        source.stop()
        logs = tracker.result()
        if callbacks is not None:
            callbacks.on_test_end(logs)
        return logs

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Outputs for ``x`` as host NumPy arrays (a list or dict as the model's outputs).

        ``x`` may be a Sequence or a generator (``steps`` batches) of inputs, or of
        tuples whose first entry is the inputs. ``batch_size`` None means 32. ``verbose`` is
        checked as Keras checks it and shows nothing.
        """
        batch_size = data.check_batch_size(32 if batch_size is None else batch_size)
        verbose = data.check_verbose(verbose)
        order = None
        plan = self.inference_plan()                  # the weights are fixed during the call
        if sources.is_batch_source(x):
            items = _items(x, steps)
            count = len(items)
            batches = ((self._prepare_inputs(item[0] if isinstance(item, tuple) else item),
                        slice(None)) for item in items)
        else:
            xs = self._prepare_inputs(x)
            n = xs[0].shape[0]
            # token ids: rows are independent, so batch similar lengths together (fewer
            # steps for a masked recurrent layer), then restore the original order
            order = data.length_order(xs[0]) if len(xs) == 1 else None
            count = -(-n // batch_size)
            batches = ((xs, numpy.arange(start, min(start + batch_size, n)) if order is None
                        else order[start:start + batch_size])      # one batch's rows at a time
                       for start in range(0, n, batch_size))
        callback_list = CallbackList(callbacks, self, verbose, 1, count)
        callback_list.on_predict_begin({})
        pieces = []
        for step, (batch_xs, rows) in enumerate(batches):
            callback_list.on_predict_batch_begin(step, {})
            pieces.append(self._predict_batch(batch_xs, rows, plan))
            callback_list.on_predict_batch_end(step, {"outputs": pieces[-1]})
        callback_list.on_predict_end({})
        results = []
        for column in zip(*pieces):
            joined = numpy.concatenate(column)
            if order is not None:
                restored = numpy.empty_like(joined)
                restored[order] = joined
                joined = restored
            results.append(joined)
        return structure.pack(results, self.output_structure)

    def _predict_batch(self, xs, rows, plan):
        """Host outputs for the examples ``rows`` of every input (``plan``: the call's)."""
        backend = get_backend()
        with profiling.section("batching", "predict batches"):
            xs = [v[rows] for v in xs]
        outputs, _ = self.call_graph(xs, [None] * len(xs), False, plan)
        with profiling.section("data conversion", "outputs to host"):
            return [backend.to_numpy(output) for output in outputs]

    # ---- checkpoints (nnkit.saving picks the format) --------------------------
    def save(self, path, include_optimizer=True, tokenizer=None):
        """Write architecture, weights, optimizer state (and tokenizer) to one HDF5 file;
        a ``.keras`` path gets a Keras 3 archive instead (architecture, weights, compile
        settings; no optimizer state or tokenizer), which ``keras.saving.load_model`` opens.

        The write is atomic: a crash leaves the old file or the new one, never a mix.

        Raises:
            CheckpointError: ``.keras`` for a model with a layer Keras has no equivalent for.
        """
        saving.save_model(self, path, include_optimizer=include_optimizer, tokenizer=tokenizer)

    def save_weights(self, path):
        """Write only the weights (HDF5, atomic); a ``.weights.h5`` path gets Keras 3's layout
        (``layers/<key>/vars/<i>``), which Keras's ``load_weights`` reads."""
        saving.save_weights(self, path)

    def load_weights(self, path):
        """Read weights written by ``save_weights`` or ``save``, or Keras's weight files
        (``.weights.h5``, ``.keras``, Keras 2 ``.h5``), into this built model."""
        saving.load_weights(self, path)

    def export(self, filepath, format="tf_saved_model", verbose=None, input_signature=None,
               opset_version=None):
        """Write the model for inference, as Keras's ``export``; nnkit writes ``format="onnx"``
        (``nnkit.export.to_onnx``: masks, any padding, dynamic batch and time axes).

        Raises:
            InvalidArgumentError: another format, an ``input_signature``, or a layer with no
                ONNX export (named; no file is left).
        """
        if format != "onnx":
            raise InvalidArgumentError(f"export: nnkit writes format='onnx' only, received "
                                       f"format={format!r}")
        if input_signature is not None:
            raise InvalidArgumentError("export: input_signature is not taken; the inputs are "
                                       "the model's own (batch and time axes dynamic)")
        to_onnx(self, filepath, opset_version)
        if verbose:
            print(f"Saved artifact at '{filepath}'.")


def _items(x, steps):
    """The items of a Sequence (all) or a generator (``steps``) for ``predict``."""
    if isinstance(x, sources.Sequence):
        return [x[i] for i in range(len(x))]
    if steps is None or isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise InvalidArgumentError(f"predict: a generator needs steps (the number of batches "
                                   f"to draw) as a positive integer, received {steps!r}; "
                                   f"an endless generator would otherwise fill memory")
    items = []
    for step in range(steps):
        try:
            items.append(next(x))
        except StopIteration:
            raise InvalidArgumentError(f"predict: the generator ended at batch {step} of "
                                       f"{steps}") from None
    return items
