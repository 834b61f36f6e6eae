"""Utilities Keras users reach for: ``to_categorical`` and ``Sequence`` (Keras's ``PyDataset``)."""
from nnkit.utils.categorical import to_categorical
from nnkit.utils.sequence import Sequence

PyDataset = Sequence            # Keras 3's name

__all__ = ["to_categorical", "Sequence", "PyDataset"]
