"""Central-difference gradients for the tests' independent reference checks."""
import numpy as np


def numeric_grad(loss, array, eps=1e-6):
    """``d loss() / d array`` element by element; ``array`` is perturbed in place and restored."""
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        keep = array[index]
        array[index] = keep + eps
        plus = loss()
        array[index] = keep - eps
        minus = loss()
        array[index] = keep
        grad[index] = (plus - minus) / (2 * eps)
    return grad
