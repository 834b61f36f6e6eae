"""Models: ``Sequential`` and the training loop behind it."""
from nnkit.models.sequential import Sequential

__all__ = ["Sequential"]
