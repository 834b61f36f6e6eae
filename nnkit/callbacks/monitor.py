"""Watching one logged quantity for improvement (shared by EarlyStopping and ModelCheckpoint)."""
import math

from nnkit.errors import InvalidArgumentError


class Monitor:
    """Tracks the best value of ``monitor`` in the epoch logs.

    Args:
        monitor: log key, e.g. "val_loss".
        mode: "min", "max" or "auto" (max for accuracy-like keys, else min).
        min_delta: smallest change that counts as an improvement.
    """

    def __init__(self, monitor, mode="auto", min_delta=0.0):
        if mode not in ("auto", "min", "max"):
            raise InvalidArgumentError(f"mode must be 'auto', 'min' or 'max', received {mode!r}")
        if mode == "auto":
            mode = "max" if "acc" in monitor else "min"
        self.monitor = monitor
        self.sign = 1.0 if mode == "min" else -1.0
        self.min_delta = abs(min_delta)
        self.best = math.inf

    def value(self, logs):
        if self.monitor not in (logs or {}):
            raise InvalidArgumentError(f"cannot monitor {self.monitor!r}: the logs have "
                                       f"{sorted(logs or {})}")
        return float(logs[self.monitor])

    def improved(self, logs):
        """Whether this epoch improved on the best so far (and record it if so)."""
        score = self.sign * self.value(logs)
        if score < self.best - self.min_delta:
            self.best = score
            return True
        return False
