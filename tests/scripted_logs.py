"""A callback that writes scripted values into the epoch logs (for monitor-driven callbacks)."""
from nnkit import callbacks


class ScriptedLogs(callbacks.Callback):
    """Puts ``values[epoch]`` under ``key`` in the epoch logs; keeps each epoch's weights."""

    def __init__(self, key, values):
        super().__init__()
        self.key, self.values, self.weights = key, list(values), []

    def on_epoch_end(self, epoch, logs=None):
        logs[self.key] = self.values[epoch]
        self.weights.append(self.model.get_weights())
