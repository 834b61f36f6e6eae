"""Layers that only move entries: Flatten, Reshape, RepeatVector, Permute, Cropping1D, TakeTimestep."""
from nnkit.layers.reshaping.cropping import Cropping1D
from nnkit.layers.reshaping.flatten import Flatten
from nnkit.layers.reshaping.permute import Permute
from nnkit.layers.reshaping.repeat_vector import RepeatVector
from nnkit.layers.reshaping.reshape import Reshape
from nnkit.layers.reshaping.take_timestep import TakeTimestep

__all__ = ["Flatten", "Reshape", "RepeatVector", "Permute", "Cropping1D", "TakeTimestep"]
