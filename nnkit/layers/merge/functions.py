"""Keras's functional merge helpers: ``add([a, b])`` is ``Add()([a, b])``.

Each builds its merge layer from ``**kwargs`` (``name`` and the other layer
keywords) and calls it on ``inputs``: a list of symbolic tensors (the merged
symbolic tensor comes back, for a graph model) or of arrays (the merged array).

Example:
    >>> a, b = nnkit.Input((8,)), nnkit.Input((8,))
    >>> merged = nnkit.layers.concatenate([a, b])        # shape (None, 16)
"""
from nnkit.layers.merge.concatenate import Concatenate
from nnkit.layers.merge.dot import Dot
from nnkit.layers.merge.elementwise import Add, Average, Maximum, Minimum, Multiply, Subtract


def add(inputs, **kwargs):
    """``Add(**kwargs)(inputs)``: ``x₁ + x₂ + …``."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """``Subtract(**kwargs)(inputs)``: ``x₁ − x₂``."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """``Multiply(**kwargs)(inputs)``: ``x₁ ⊙ x₂ ⊙ …``."""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """``Average(**kwargs)(inputs)``: the entry-wise mean."""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """``Maximum(**kwargs)(inputs)``: the entry-wise maximum."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """``Minimum(**kwargs)(inputs)``: the entry-wise minimum."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """``Concatenate(axis=axis, **kwargs)(inputs)``: the inputs joined along ``axis``."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes, normalize=False, **kwargs):
    """``Dot(axes=axes, normalize=normalize, **kwargs)(inputs)``: a batched dot product."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
