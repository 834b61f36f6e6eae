"""Tools to check layers and models: numerical gradients and padding invariance."""
from nnkit.testing.gradient_check import GradientCheckError, check_gradients
from nnkit.testing.padding_invariance import (PaddingInvarianceError, PaddingInvarianceReport,
                                              check_padding_invariance)

__all__ = ["check_gradients", "GradientCheckError", "check_padding_invariance",
           "PaddingInvarianceReport", "PaddingInvarianceError"]
