"""nnkit's layers; each is registered by class name for configs and checkpoints."""
from nnkit.layers.activation import Activation
from nnkit.layers.base import Layer
from nnkit.layers.dense import Dense
from nnkit.layers.dropout import Dropout
from nnkit.layers.embedding import Embedding
from nnkit.layers.bidirectional import Bidirectional
from nnkit.layers.pooling import GlobalAveragePooling1D, GlobalMaxPooling1D
from nnkit.layers.time_distributed import TimeDistributed
from nnkit.layers.recurrent import GatedInput, LSTM, RNN, StackedCells

__all__ = ["Layer", "Dense", "Activation", "Dropout", "Embedding",
           "GlobalAveragePooling1D", "GlobalMaxPooling1D", "TimeDistributed", "Bidirectional",
           "RNN", "LSTM", "StackedCells", "GatedInput"]
