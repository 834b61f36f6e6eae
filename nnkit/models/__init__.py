"""Models: ``Sequential`` and ``Model`` (graphs), the training loop behind them, and saving
and loading them (Keras's ``keras.models``)."""
from nnkit.keras_names import missing_names
from nnkit.models.cloning import clone_model
from nnkit.models.functional import Functional
from nnkit.models.model import Model
from nnkit.models.sequential import Sequential
from nnkit.saving import load_model, save_model

__all__ = ["Model", "Functional", "Sequential", "clone_model", "load_model", "save_model"]
__getattr__ = missing_names(__name__)
