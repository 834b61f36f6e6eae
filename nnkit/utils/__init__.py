"""Utilities Keras users reach for: ``to_categorical``, ``Sequence`` (Keras's ``PyDataset``),
``plot_history``."""
from nnkit.utils.categorical import to_categorical
from nnkit.utils.plotting import plot_history
from nnkit.utils.sequence import Sequence

PyDataset = Sequence            # Keras 3's name

__all__ = ["to_categorical", "Sequence", "PyDataset", "plot_history"]
