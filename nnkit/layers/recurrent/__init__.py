"""Recurrent layers: RNN, LSTM and StackedCells (with GatedInput cells), sharing one packed time loop."""
from nnkit.layers.recurrent.gated_input import GatedInput
from nnkit.layers.recurrent.lstm import LSTM, LSTMCell
from nnkit.layers.recurrent.rnn import RNN, RNNCell
from nnkit.layers.recurrent.stacked_cells import StackedCells

__all__ = ["RNN", "LSTM", "StackedCells", "GatedInput", "RNNCell", "LSTMCell"]
