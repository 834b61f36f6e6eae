"""Recurrent layers: RNN (SimpleRNN), LSTM, GRU and StackedCells, sharing one packed time loop."""
from nnkit.layers.recurrent.cell import Cell
from nnkit.layers.recurrent.gated_input import GatedInput
from nnkit.layers.recurrent.gru import GRU, GRUCell
from nnkit.layers.recurrent.lstm import LSTM, LSTMCell
from nnkit.layers.recurrent.rnn import RNN, RNNCell, SimpleRNN
from nnkit.layers.recurrent.stacked_cells import StackedCells

__all__ = ["RNN", "SimpleRNN", "LSTM", "GRU", "StackedCells", "GatedInput", "Cell", "RNNCell",
           "LSTMCell", "GRUCell"]
