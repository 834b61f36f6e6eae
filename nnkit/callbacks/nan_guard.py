"""NaNGuard: catch a non-finite loss or gradient, say where it came from, roll back."""
import copy
import math

from nnkit import validation
from nnkit.backend import get_backend
from nnkit.callbacks import arguments
from nnkit.callbacks.base import Callback


class NaNGuard(Callback):
    """Reject any step whose loss or gradients are not finite, and recover or stop.

    After each backward pass (``on_gradients``) the guard checks the loss
    and the gradients. A good step is remembered (weights and optimizer state
    before its update, on the backend, no host copy). On a bad step it:

    1. locates the problem: for a gradient, the first layer (model order) and
       parameter with a non-finite gradient; for the loss, the first layer
       whose forward output on the offending batch is not finite (re-run in
       inference mode), the parameter of that layer holding non-finite values
       if any, and for ``(N, T, ...)`` outputs (Embedding, recurrent layers with
       ``return_sequences``) the first time step that is not finite. A recurrent
       layer without ``return_sequences`` is re-run with it switched on;
    2. restores the last good weights and optimizer state (the bad batch's update
       is never applied; the update that led to it is undone);
    3. does ``action``: "reduce_lr" (learning rate × ``factor``), "clip"
       (``global_clipnorm`` set to ``clipnorm``, then × ``factor`` each time), or
       "stop" (``model.stop_training``). After ``max_recoveries`` it stops.

    Attributes:
        events: one dict per bad step: epoch, batch, kind ("loss"/"gradient"),
            layer, parameter, time_step (or None), action.

    Limits: the forward re-run uses inference mode (no dropout), so a NaN that
    only dropout's scaling produces is located less precisely; a gradient that
    turns non-finite inside backpropagation through time is reported by layer
    and parameter, not by time step.
    """

    def __init__(self, action="reduce_lr", factor=0.5, clipnorm=1.0, max_recoveries=10,
                 verbose=1):
        super().__init__()
        self.action = validation.one_of("NaNGuard", "action", action,
                                        ("reduce_lr", "clip", "stop"))
        self.factor = validation.real("NaNGuard", "factor", factor, 0.0, 1.0, low_open=True,
                                      high_open=True)
        self.clipnorm = validation.positive("NaNGuard", "clipnorm", clipnorm)
        self.max_recoveries = validation.non_negative_int("NaNGuard", "max_recoveries",
                                                          max_recoveries)
        self.verbose = arguments.verbosity("NaNGuard", verbose)
        self.events = []
        self._good = None
        self._epoch, self._batch = 0, -1

    # ---- wiring -------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._good = None

    def on_gradients(self, batch, loss):
        return self._check(self.model, batch, loss)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_begin(self, batch, logs=None):
        self._batch = batch

    def get_state(self):
        return {"events": self.events}

    def set_state(self, state):
        self.events = list(state.get("events", []))

    # ---- the check ------------------------------------------------------------
    def _check(self, model, batch, loss):
        grads = model.named_gradients()
        xp = get_backend().xp
        total = sum(xp.sum(grad) for grad in grads.values()) if grads else 0.0
        if math.isfinite(loss) and math.isfinite(float(total)):
            self._remember(model)
            return True
        if not math.isfinite(loss):
            where = dict(kind="loss", **self._locate_forward(model, batch[0]))
        else:
            where = dict(kind="gradient", **self._locate_gradient(grads))
        event = {"epoch": self._epoch, "batch": self._batch, **where}
        self._restore(model)
        self._act(model, event)
        self.events.append(event)
        if self.verbose:
            step = "" if event["time_step"] is None else f", time step {event['time_step']}"
            print(f"NaNGuard: non-finite {event['kind']} at epoch {event['epoch']} batch "
                  f"{event['batch']}: layer {event['layer']!r}, parameter "
                  f"{event['parameter']!r}{step}; restored the last good weights; "
                  f"{event['action']}")
        return False

    @staticmethod
    def _locate_gradient(grads):
        xp = get_backend().xp
        for name, grad in grads.items():
            if not bool(xp.isfinite(grad).all()):
                layer, parameter = name.split("/", 1)
                return {"layer": layer, "parameter": parameter, "time_step": None}
        return {"layer": None, "parameter": None, "time_step": None}

    @staticmethod
    def _locate_forward(model, xs):
        """The first node (in forward order) whose output is not finite, re-run in inference."""
        xp = get_backend().xp
        runner = model.runner()
        for node, x, mask, outputs in runner.trace(list(xs), [None] * len(xs)):
            if all(bool(xp.isfinite(output).all()) for output in outputs):
                continue
            layer = node.layer
            parameter = next((key for key, value in layer.params.items()
                              if not bool(xp.isfinite(value).all())), None)
            step = None
            output = outputs[0] if node.multiple_inputs or getattr(layer, "is_model", False) \
                else NaNGuard._sequence_output(layer, layer.check_input(x), mask)
            if output.ndim >= 3:
                bad = ~xp.isfinite(output).reshape(output.shape[0], output.shape[1], -1)
                step = int(xp.argmax(bad.any(axis=(0, 2))))
            return {"layer": layer.name, "parameter": parameter, "time_step": step}
        return {"layer": None, "parameter": None, "time_step": None}

    @staticmethod
    def _sequence_output(layer, x, mask):
        """The layer's output, per time step for a recurrent layer that returns only the last
        (run as a shallow copy with ``return_sequences`` on: same weights, the user's layer
        untouched; an inference forward keeps nothing on the layer)."""
        if getattr(layer, "return_sequences", True) is False:
            layer = copy.copy(layer)
            layer.return_sequences = True
        output = layer.forward(x, training=False, mask=mask)
        return output[0] if isinstance(output, (list, tuple)) else output

    # ---- recovering -------------------------------------------------------------
    def _remember(self, model):
        optimizer = model.optimizer
        self._good = {
            "params": {name: value.copy() for name, value in model.named_parameters().items()},
            "slots": {name: {slot: value.copy() for slot, value in slots.items()}
                      for name, slots in optimizer.slots.items()},
            "iterations": optimizer.iterations}

    def _restore(self, model):
        model.clear_cache()
        if self._good is None:
            return
        for name, value in model.named_parameters().items():
            value[...] = self._good["params"][name]
        optimizer = model.optimizer
        optimizer.slots = {name: {slot: value.copy() for slot, value in slots.items()}
                           for name, slots in self._good["slots"].items()}
        optimizer.iterations = self._good["iterations"]

    def _act(self, model, event):
        optimizer = model.optimizer
        if self.action == "stop" or len(self.events) >= self.max_recoveries:
            model.stop_training = True
            event["action"] = "stopped training"
        elif self.action == "reduce_lr":
            optimizer.learning_rate *= self.factor
            event["action"] = f"learning rate lowered to {optimizer.learning_rate:.3g}"
        else:
            current = optimizer.global_clipnorm
            optimizer.global_clipnorm = self.clipnorm if current is None else current * self.factor
            event["action"] = f"global_clipnorm tightened to {optimizer.global_clipnorm:.3g}"
