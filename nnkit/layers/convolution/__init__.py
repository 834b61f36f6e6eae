"""Convolutions and local pooling over channels-last windows (im2col, one GEMM)."""
from nnkit.layers.convolution.conv import Conv1D, Conv2D
from nnkit.layers.convolution.pooling import (AveragePooling1D, AveragePooling2D, MaxPooling1D,
                                              MaxPooling2D)

__all__ = ["Conv1D", "Conv2D", "MaxPooling1D", "MaxPooling2D", "AveragePooling1D",
           "AveragePooling2D"]
