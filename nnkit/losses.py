"""Losses: a scalar from predictions and targets, and its gradient.

A loss computes a per-entry value ``l`` over the last axis of ``y_pred`` and
reduces ``Σ w ⊙ l / normaliser``, where the model gives the weights ``w``
(sample weights, the sequence mask) and the normaliser (the batch size, or the
number of valid steps for masked sequences). ``forward`` returns the scalar;
``backward`` returns ``dL/dy_pred``.

Shapes:
    y_pred: ``(N, C)`` or ``(N, T, C)`` (probabilities for cross-entropies).
    y_true: same as y_pred, or without the last axis for sparse labels.
    w: ``y_pred.shape[:-1]`` or None.
"""
from nnkit.backend import get_backend
from nnkit.errors import InvalidArgumentError, ShapeError, describe

EPSILON = 1e-7


class Loss:
    """Base class: subclasses give ``per_entry`` and ``per_entry_grad``."""

    name = None
    sparse_labels = False

    def __init__(self):
        self._cache = None

    def per_entry(self, xp, y_pred, y_true):
        """Loss of each entry: shape ``y_pred.shape[:-1]``."""
        raise NotImplementedError

    def per_entry_grad(self, xp, y_pred, y_true):
        """``∂ per_entry / ∂ y_pred``: shape ``y_pred.shape``."""
        raise NotImplementedError

    def label_shape(self, output_shape):
        """Expected shape of ``y_true`` for an output of ``output_shape``."""
        return tuple(output_shape[:-1]) if self.sparse_labels else tuple(output_shape)

    def check_labels(self, y_pred, y_true):
        expected = self.label_shape(y_pred.shape)
        if tuple(y_true.shape) != expected:
            raise ShapeError(f"loss '{self.name}': expected targets of shape {expected} for "
                             f"predictions {describe(y_pred)}, received {describe(y_true)}")

    def forward(self, y_pred, y_true, weights=None, normaliser=None):
        xp = get_backend().xp
        entries = self.per_entry(xp, y_pred, y_true)
        if normaliser is None:
            normaliser = entries.size
        total = (entries if weights is None else entries * weights).sum()
        self._cache = (y_pred, y_true, weights, normaliser)
        return float(total) / normaliser

    def backward(self):
        y_pred, y_true, weights, normaliser = self._cache
        self._cache = None
        xp = get_backend().xp
        scale = 1.0 / normaliser
        if weights is not None:
            scale = weights[..., None] * scale
        return self.per_entry_grad(xp, y_pred, y_true) * scale

    def get_config(self):
        return {"name": self.name}


class SparseCategoricalCrossentropy(Loss):
    """``-log p[y]`` for integer class labels ``y`` in ``[0, C)``."""

    name = "sparse_categorical_crossentropy"
    sparse_labels = True

    @staticmethod
    def _label_entries(xp, y_true):
        """``(rows, labels)``: the label's entry in each row of the predictions viewed as ``(M, C)``."""
        labels = y_true.reshape(-1).astype("int64", copy=False)
        return xp.arange(labels.size), labels

    @staticmethod
    def _rows(array):
        """``(..., C)`` → ``(M, C)`` view."""
        return array.reshape(-1, array.shape[-1])

    def per_entry(self, xp, y_pred, y_true):
        picked = self._rows(y_pred)[self._label_entries(xp, y_true)]
        return -xp.log(xp.maximum(picked, EPSILON)).reshape(y_true.shape)

    def per_entry_grad(self, xp, y_pred, y_true):
        entries = self._label_entries(xp, y_true)
        picked = self._rows(y_pred)[entries]
        grad = xp.zeros_like(y_pred)
        self._rows(grad)[entries] = -1.0 / xp.maximum(picked, EPSILON) * (picked >= EPSILON)
        return grad


class CategoricalCrossentropy(Loss):
    """``-Σ_c y_c log p_c`` for one-hot (or soft) targets."""

    name = "categorical_crossentropy"

    def per_entry(self, xp, y_pred, y_true):
        return -(y_true * xp.log(xp.maximum(y_pred, EPSILON))).sum(axis=-1)

    def per_entry_grad(self, xp, y_pred, y_true):
        return -y_true / xp.maximum(y_pred, EPSILON) * (y_pred >= EPSILON)


class BinaryCrossentropy(Loss):
    """Mean over the last axis of ``-(y log p + (1 - y) log(1 - p))``."""

    name = "binary_crossentropy"

    def per_entry(self, xp, y_pred, y_true):
        p = xp.clip(y_pred, EPSILON, 1 - EPSILON)
        return -(y_true * xp.log(p) + (1 - y_true) * xp.log(1 - p)).mean(axis=-1)

    def per_entry_grad(self, xp, y_pred, y_true):
        inside = (y_pred >= EPSILON) & (y_pred <= 1 - EPSILON)
        p = xp.clip(y_pred, EPSILON, 1 - EPSILON)
        return (p - y_true) / (p * (1 - p)) * inside / y_pred.shape[-1]


class MeanSquaredError(Loss):
    """Mean over the last axis of ``(p - y)²``."""

    name = "mse"

    def per_entry(self, xp, y_pred, y_true):
        return ((y_pred - y_true) ** 2).mean(axis=-1)

    def per_entry_grad(self, xp, y_pred, y_true):
        return 2.0 * (y_pred - y_true) / y_pred.shape[-1]


_LOSSES = {cls.name: cls for cls in (SparseCategoricalCrossentropy, CategoricalCrossentropy,
                                     BinaryCrossentropy, MeanSquaredError)}
_LOSSES["mean_squared_error"] = MeanSquaredError


def get(loss):
    """A Loss from a name or an instance.

    Raises:
        InvalidArgumentError: unknown name.
    """
    if isinstance(loss, Loss):
        return loss
    if loss not in _LOSSES:
        raise InvalidArgumentError(f"unknown loss {loss!r}: expected one of {sorted(_LOSSES)} "
                                   f"or a nnkit.losses.Loss instance")
    return _LOSSES[loss]()
