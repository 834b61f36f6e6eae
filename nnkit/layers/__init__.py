"""nnkit's layers; each is registered by class name for configs and checkpoints."""
from nnkit.layers.activation import Activation
from nnkit.layers.base import Layer
from nnkit.layers.dense import Dense
from nnkit.layers.dropout import Dropout
from nnkit.layers.embedding import Embedding

__all__ = ["Layer", "Dense", "Activation", "Dropout", "Embedding"]
