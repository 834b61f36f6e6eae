"""Tools to check layers and models: numerical gradients and padding invariance."""
from nnkit.testing.gradient_check import GradientCheckError, check_gradients

__all__ = ["check_gradients", "GradientCheckError"]
