"""Graph models (Keras's functional API): ``Input``, symbolic layer calls and ``Model``."""
from nnkit.graph.functional import Model
from nnkit.graph.input_layer import Input, InputLayer
from nnkit.graph.symbolic import SymbolicTensor

__all__ = ["Input", "InputLayer", "Model", "SymbolicTensor"]
