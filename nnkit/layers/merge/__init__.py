"""Merge layers: called on a list of tensors (graph models)."""
from nnkit.layers.merge.concatenate import Concatenate
from nnkit.layers.merge.dot import Dot
from nnkit.layers.merge.elementwise import Add, Average, Maximum, Minimum, Multiply, Subtract

__all__ = ["Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Dot"]
