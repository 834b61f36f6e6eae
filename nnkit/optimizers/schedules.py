"""Learning-rate schedules (Keras's ``keras.optimizers.schedules``), usable as any
optimizer's ``learning_rate``.

A schedule maps the optimizer's step (the number of updates done so far: 0 for
the first update, as Keras) to a learning rate. The optimizer evaluates it at
the start of each update; checkpoints keep the step, so a resumed run follows
the same schedule.
"""
import math

from nnkit.errors import InvalidArgumentError
from nnkit.registry import Registry

SCHEDULES = Registry("learning-rate schedule")


class LearningRateSchedule:
    """Base class: ``schedule(step) -> learning rate``; configs are the constructor arguments."""

    def __call__(self, step):
        raise NotImplementedError

    def get_config(self):
        return dict(vars(self))

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _positive(schedule, argument, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise InvalidArgumentError(f"{schedule}: {argument} must be a positive number, "
                                   f"received {value!r}")
    return value


@SCHEDULES.register
class ExponentialDecay(LearningRateSchedule):
    """``initial · rate^(step / decay_steps)`` (the exponent floored with ``staircase``)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False):
        self.initial_learning_rate = float(_positive("ExponentialDecay", "initial_learning_rate",
                                                     initial_learning_rate))
        self.decay_steps = _positive("ExponentialDecay", "decay_steps", decay_steps)
        self.decay_rate = float(decay_rate)
        self.staircase = bool(staircase)

    def __call__(self, step):
        power = step / self.decay_steps
        return self.initial_learning_rate * self.decay_rate ** (
            math.floor(power) if self.staircase else power)


@SCHEDULES.register
class InverseTimeDecay(LearningRateSchedule):
    """``initial / (1 + rate · step / decay_steps)`` (floored with ``staircase``)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False):
        self.initial_learning_rate = float(_positive("InverseTimeDecay", "initial_learning_rate",
                                                     initial_learning_rate))
        self.decay_steps = _positive("InverseTimeDecay", "decay_steps", decay_steps)
        self.decay_rate = float(decay_rate)
        self.staircase = bool(staircase)

    def __call__(self, step):
        ratio = step / self.decay_steps
        return self.initial_learning_rate / (1 + self.decay_rate * (
            math.floor(ratio) if self.staircase else ratio))


@SCHEDULES.register
class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` up to ``boundaries[0]`` (inclusive), ``values[1]`` up to ``boundaries[1]``, …"""

    def __init__(self, boundaries, values):
        boundaries, values = [float(b) for b in boundaries], [float(v) for v in values]
        if len(values) != len(boundaries) + 1 or boundaries != sorted(boundaries):
            raise InvalidArgumentError(f"PiecewiseConstantDecay: expected increasing boundaries "
                                       f"and one more value than boundaries, received "
                                       f"{len(boundaries)} boundaries and {len(values)} values")
        self.boundaries, self.values = boundaries, values

    def __call__(self, step):
        for boundary, value in zip(self.boundaries, self.values):
            if step <= boundary:
                return value
        return self.values[-1]


@SCHEDULES.register
class PolynomialDecay(LearningRateSchedule):
    """``(initial − end)·(1 − s/decay_steps)^power + end`` with ``s = min(step, decay_steps)``;
    with ``cycle``, decay_steps grows to the next multiple past the step."""

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle=False):
        self.initial_learning_rate = float(_positive("PolynomialDecay", "initial_learning_rate",
                                                     initial_learning_rate))
        self.decay_steps = _positive("PolynomialDecay", "decay_steps", decay_steps)
        self.end_learning_rate, self.power = float(end_learning_rate), float(power)
        self.cycle = bool(cycle)

    def __call__(self, step):
        decay_steps = self.decay_steps
        if self.cycle:
            decay_steps = decay_steps * max(1.0, math.ceil(step / decay_steps))
        else:
            step = min(step, decay_steps)
        fraction = 1 - step / decay_steps
        return (self.initial_learning_rate - self.end_learning_rate) * fraction ** self.power + \
            self.end_learning_rate


@SCHEDULES.register
class CosineDecay(LearningRateSchedule):
    """Optional linear warm-up from ``initial`` to ``warmup_target`` over ``warmup_steps``, then
    ``lr · ((1 − α)·½(1 + cos(π·s/decay_steps)) + α)``, ``s`` the steps since the warm-up
    (capped at ``decay_steps``), ``lr`` the warm-up target (or the initial rate)."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, warmup_target=None,
                 warmup_steps=0):
        self.initial_learning_rate = float(initial_learning_rate)
        self.decay_steps = _positive("CosineDecay", "decay_steps", decay_steps)
        self.alpha = float(alpha)
        self.warmup_target = None if warmup_target is None else float(warmup_target)
        self.warmup_steps = int(warmup_steps)

    def __call__(self, step):
        if self.warmup_target is not None and step < self.warmup_steps:
            return self.initial_learning_rate + (self.warmup_target - self.initial_learning_rate) \
                * step / self.warmup_steps
        peak = self.initial_learning_rate if self.warmup_target is None else self.warmup_target
        since = min(step - (self.warmup_steps if self.warmup_target is not None else 0),
                    self.decay_steps)
        cosine = 0.5 * (1 + math.cos(math.pi * since / self.decay_steps))
        return peak * ((1 - self.alpha) * cosine + self.alpha)


def serialize(schedule):
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def deserialize(config):
    """A schedule from ``serialize``'s output (registered classes only)."""
    if not isinstance(config, dict) or not isinstance(config.get("config"), dict):
        raise InvalidArgumentError(f"a learning-rate schedule config must be "
                                   f"{{'class_name', 'config'}}, received {config!r}")
    return SCHEDULES.get(config["class_name"]).from_config(dict(config["config"]))
