"""Utilities Keras users reach for: ``to_categorical``."""
from nnkit.utils.categorical import to_categorical

__all__ = ["to_categorical"]
