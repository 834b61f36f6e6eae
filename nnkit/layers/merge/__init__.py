"""Merge layers, called on a list of tensors (graph models), and Keras's functional helpers."""
from nnkit.layers.merge.concatenate import Concatenate
from nnkit.layers.merge.dot import Dot
from nnkit.layers.merge.elementwise import Add, Average, Maximum, Minimum, Multiply, Subtract
from nnkit.layers.merge.functions import (add, average, concatenate, dot, maximum, minimum,
                                          multiply, subtract)

__all__ = ["Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Dot",
           "add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate", "dot"]
