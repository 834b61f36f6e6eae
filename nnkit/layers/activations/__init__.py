"""Keras's activation layers: ReLU, LeakyReLU, ELU, PReLU, Softmax (``Activation`` is in
``nnkit.layers.activation``)."""
from nnkit.layers.activations.elu import ELU
from nnkit.layers.activations.prelu import PReLU
from nnkit.layers.activations.relu import LeakyReLU, ReLU
from nnkit.layers.activations.softmax import Softmax

__all__ = ["ReLU", "LeakyReLU", "ELU", "PReLU", "Softmax"]
