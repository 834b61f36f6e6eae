"""Models: ``Sequential`` and ``Model`` (graphs), the training loop behind them, and saving
and loading them (Keras's ``keras.models``)."""
from nnkit.models.functional import Model
from nnkit.models.sequential import Sequential
from nnkit.saving import load_model, save_model

__all__ = ["Model", "Sequential", "load_model", "save_model"]
