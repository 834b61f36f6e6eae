"""The optimizer base: gradient clipping, the step counter and state slots.

A subclass names its slots and writes one in-place ``update_step`` (and, when
its rule leaves a parameter row with a zero gradient exactly as it is, an
``update_rows`` for gradients known to be zero outside a few rows); the base
clips gradients (element-wise ``clipvalue``, per-tensor ``clipnorm``, and
``global_clipnorm`` over all tensors) without pulling a norm to the host, so
on the GPU a step never synchronises.
"""
import numpy

from nnkit.backend import get_backend
from nnkit import validation
from nnkit.errors import CheckpointError, InvalidArgumentError
from nnkit.optimizers import schedules
from nnkit.registry import Registry

OPTIMIZERS = Registry("optimizer")

#: Keras 3's optimizer options nnkit accepts only at their defaults (the value Keras uses)
KERAS_OPTIONS = {"use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
                 "loss_scale_factor": None, "gradient_accumulation_steps": None}


def refuse_unsupported(owner, given, defaults):
    """Accept Keras's options at their defaults; refuse other values, and unknown names.

    Raises:
        InvalidArgumentError: naming ``owner`` and the option.
    """
    for option, value in given.items():
        if option not in defaults:
            raise InvalidArgumentError(f"{owner}: unknown argument {option!r}")
        if value != defaults[option]:
            raise InvalidArgumentError(f"{owner}: nnkit does not implement {option}={value!r} "
                                       f"(only the default {defaults[option]!r})")


def _snake_case(name):
    """``"RMSprop"`` → ``"rmsprop"``, ``"AdamW"`` → ``"adamw"`` (Keras's default names)."""
    return name.lower()


class Optimizer:
    """Base class of all optimizers.

    Args:
        learning_rate: step size, or a schedule (``nnkit.optimizers.schedules``)
            evaluated at the start of every update; a number may be changed
            between batches (``optimizer.learning_rate = 0.1``).
        clipvalue: clip every gradient element to ``[-clipvalue, clipvalue]`` (Graves).
        clipnorm: rescale each gradient tensor whose L2 norm exceeds it
            (theano-lstm's max_norm).
        global_clipnorm: rescale all gradients together when their joint L2
            norm exceeds it.
        weight_decay: decoupled weight decay (Loshchilov & Hutter, Keras 3):
            before each update ``θ ← θ − lr·weight_decay·θ`` for every parameter.
        name: Keras's optimizer name (default the class name in snake case).
        use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
            gradient_accumulation_steps: Keras's options; accepted at their defaults, any
            other value is refused by name (nnkit does not implement them).

    Attributes:
        iterations: number of updates applied.
        slots: ``{parameter name: {slot name: array}}``.
    """

    slot_names = ()

    def __init__(self, learning_rate=0.01, clipvalue=None, clipnorm=None, global_clipnorm=None,
                 weight_decay=None, name=None, **keras_options):
        refuse_unsupported(type(self).__name__, keras_options, KERAS_OPTIONS)
        self.name = name or _snake_case(type(self).__name__)
        if isinstance(learning_rate, dict):          # a schedule's config, from from_config
            learning_rate = schedules.deserialize(learning_rate)
        self.schedule = learning_rate if isinstance(learning_rate,
                                                    schedules.LearningRateSchedule) else None
        if self.schedule is not None:
            learning_rate = self.schedule(0)
        owner = type(self).__name__
        self.learning_rate = learning_rate
        self.weight_decay = validation.non_negative(owner, "weight_decay", weight_decay,
                                                    allow_none=True)
        self.clipvalue, self.clipnorm, self.global_clipnorm = (
            validation.positive(owner, argument, value, allow_none=True) for argument, value
            in (("clipvalue", clipvalue), ("clipnorm", clipnorm),
                ("global_clipnorm", global_clipnorm)))
        self.iterations = 0
        self._slots = {}

    @property
    def learning_rate(self):
        """The step size of the next update (a schedule's value once it has run)."""
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        """Set the step size: a finite number >= 0 (checked at every assignment, so a bad
        value from a user or a ``LearningRateScheduler`` is refused by name)."""
        self._learning_rate = validation.non_negative(type(self).__name__, "learning_rate",
                                                      value)

    @property
    def slots(self):
        """``{param name: {slot name: array}}``, with any deferred work on them done."""
        self.settle_slots()
        return self._slots

    @slots.setter
    def slots(self, slots):
        self._slots = slots

    def settle_slots(self):
        """Finish work deferred on the slots (Adadelta's owed decays); default: none."""

    def apply_gradients(self, params, grads, grad_rows=None):
        """Update every array of ``params`` in place from ``grads`` (dicts with the same keys).

        The gradients are clipped in place. ``grad_rows`` (``{name: rows}``,
        e.g. ``model.named_gradient_rows()``) says which gradients are zero
        outside ``rows``; those parameters get ``update_rows``.
        """
        xp = get_backend().xp
        grad_rows = grad_rows or {}
        self._clip(xp, grads)
        if self.schedule is not None:               # Keras: the step is the updates done so far
            self.learning_rate = float(self.schedule(self.iterations))
        self.iterations += 1
        for name, param in params.items():
            if self.weight_decay is not None:
                param -= param * (self.learning_rate * self.weight_decay)
            slots = self._slots.get(name)
            if slots is None:
                slots = self._slots[name] = {slot: xp.zeros_like(param)
                                             for slot in self.slot_names}
                self.init_slots(slots)
            rows = grad_rows.get(name)
            if rows is None:
                self.update_step(xp, param, grads[name], slots)
            else:
                self.update_rows(xp, param, grads[name], slots, rows)

    def _clip(self, xp, grads):
        if self.clipvalue is not None:
            for grad in grads.values():
                xp.clip(grad, -self.clipvalue, self.clipvalue, out=grad)
        if self.clipnorm is not None:
            for grad in grads.values():
                grad *= self._shrink(xp, xp.sqrt((grad * grad).sum()), self.clipnorm)
        if self.global_clipnorm is not None and grads:
            norm = xp.sqrt(sum((grad * grad).sum() for grad in grads.values()))
            scale = self._shrink(xp, norm, self.global_clipnorm)
            for grad in grads.values():
                grad *= scale

    @staticmethod
    def _shrink(xp, norm, limit):
        """``min(1, limit / norm)`` as a device scalar."""
        return limit / xp.maximum(norm, limit)

    def init_slots(self, slots):
        """Give slots a starting value other than zero (default: nothing)."""

    def update_step(self, xp, param, grad, slots):
        """Update ``param`` in place."""
        raise NotImplementedError

    def update_rows(self, xp, param, grad, slots, rows):
        """``update_step`` for a ``grad`` that is zero outside ``rows`` (default: the dense step).

        An override must give exactly what ``update_step`` gives.
        """
        self.update_step(xp, param, grad, slots)

    # ---- configuration and state -------------------------------------------
    def get_config(self):
        learning_rate = (self.learning_rate if self.schedule is None
                         else schedules.serialize(self.schedule))
        return {"learning_rate": learning_rate, "clipvalue": self.clipvalue,
                "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm,
                "weight_decay": self.weight_decay, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def get_state(self):
        """``{"iterations": n, "slots": {param: {slot: host array}}}``."""
        backend = get_backend()
        return {"iterations": self.iterations,
                "slots": {name: {slot: numpy.array(backend.to_numpy(value))
                                 for slot, value in slots.items()}
                          for name, slots in self.slots.items()}}

    def set_state(self, state, params):
        """Restore ``get_state`` output, checking each slot against its parameter's shape.

        Raises:
            CheckpointError: unknown parameter, missing slot or wrong shape.
        """
        backend = get_backend()
        restored = {}
        for name, slots in state["slots"].items():
            if name not in params:
                raise CheckpointError(f"optimizer state names unknown parameter {name!r}")
            if set(slots) != set(self.slot_names):
                raise CheckpointError(f"optimizer state for {name!r} has slots {sorted(slots)}, "
                                      f"expected {sorted(self.slot_names)}")
            shape = tuple(params[name].shape)
            for slot, value in slots.items():
                if tuple(value.shape) != shape:
                    raise CheckpointError(f"optimizer slot {name!r}/{slot} has shape "
                                          f"{tuple(value.shape)}, expected {shape}")
            restored[name] = {slot: backend.asarray(value, dtype=params[name].dtype)
                              for slot, value in slots.items()}
        self.slots = restored
        self.iterations = int(state["iterations"])


def get(optimizer):
    """An optimizer from an instance or a name ("sgd", "adagrad", "adadelta", "rmsprop", "adam")."""
    if isinstance(optimizer, Optimizer):
        return optimizer
    names = {name.lower(): name for name in OPTIMIZERS.names()}
    if not isinstance(optimizer, str) or optimizer.lower() not in names:
        raise InvalidArgumentError(f"unknown optimizer {optimizer!r}: expected one of "
                                   f"{sorted(names)} or an Optimizer instance")
    return OPTIMIZERS.get(names[optimizer.lower()])()
