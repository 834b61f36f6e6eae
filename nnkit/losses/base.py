"""The loss protocol: Keras's calling convention on top of a per-entry value and its gradient.

A subclass gives ``per_entry(xp, y_pred, y_true)``, the loss ``l`` of each entry
over the class (last) axis, and ``per_entry_grad``, ``∂l/∂y_pred``. From these:

- Keras's call ``loss(y_true, y_pred, sample_weight=None)`` reduces the per-sample
  values on the host as Keras 3 does (``reduction``: "sum_over_batch_size" and "mean"
  divide the weighted sum by the number of values, "sum" does not divide,
  "mean_with_sample_weight" divides by the sum of the weights, None/"none" returns the
  values);
- the training loop calls ``forward(y_pred, y_true, weights, normaliser)`` with the
  weights and normaliser the model chose (sample weights, sequence masks), reduced
  the same way, and ``backward()`` for ``dL/dy_pred``.

Shapes:
    y_pred: ``(N, C)`` or ``(N, T, C)``; y_true: the same, or without the last axis for
    sparse labels; weights: ``y_pred.shape[:-1]`` or None.
"""
import numpy

from nnkit import config
from nnkit.backend import get_backend
from nnkit.errors import InvalidArgumentError, ShapeError, describe

#: Keras's ``backend.epsilon()``: the clip of probabilities and divisors
EPSILON = 1e-7
REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


def squeeze_or_expand(first, second):
    """Keras's rank alignment: when the ranks differ by one and the longer array ends in a
    size-1 axis, that axis is dropped, or the shorter array (of rank 1) gets one."""
    if first.ndim == second.ndim + 1 and first.shape[-1] == 1:
        return (first, second[:, None]) if second.ndim == 1 else (first[..., 0], second)
    if second.ndim == first.ndim + 1 and second.shape[-1] == 1:
        return (first[:, None], second) if first.ndim == 1 else (first, second[..., 0])
    return first, second


class Loss:
    """Base class of losses (see the module docstring).

    Class attributes: ``name`` (Keras's default instance name), ``sparse_labels``
    (targets are class ids without the class axis), ``axis`` (the class axis).
    """

    name = None
    sparse_labels = False
    axis = -1

    def __init__(self, reduction="sum_over_batch_size", name=None, dtype=None):
        if reduction not in REDUCTIONS:
            raise InvalidArgumentError(f"loss {type(self).__name__}: reduction must be one of "
                                       f"{list(REDUCTIONS)}, received {reduction!r}")
        self.reduction = reduction
        self.name = name or type(self).name
        self.dtype = dtype
        self._cache = None

    # ---- what a subclass gives ----------------------------------------------
    def per_entry(self, xp, y_pred, y_true):
        """Loss of each entry: shape ``y_pred.shape[:-1]``."""
        raise NotImplementedError

    def per_entry_grad(self, xp, y_pred, y_true):
        """``∂ per_entry / ∂ y_pred``: shape ``y_pred.shape``."""
        raise NotImplementedError

    def entry_mask(self, xp, y_true):
        """Entries that count (a bool array ``y_pred.shape[:-1]``), or None for all."""
        return None

    # ---- Keras's call ----------------------------------------------------------
    def align(self, xp, y_true, y_pred):
        """``(y_true, y_pred)`` as ``per_entry`` takes them: ranks aligned (Keras), the
        class axis moved last, targets cast to the predictions' dtype."""
        y_true, y_pred = squeeze_or_expand(y_true, y_pred)
        if self.axis not in (-1, y_pred.ndim - 1):
            y_true, y_pred = xp.moveaxis(y_true, self.axis, -1), xp.moveaxis(y_pred, self.axis, -1)
        if y_true.shape != y_pred.shape:
            raise ShapeError(f"loss '{self.name}': y_true and y_pred must have the same shape, "
                             f"received {describe(y_true)} and {describe(y_pred)}")
        return y_true.astype(y_pred.dtype, copy=False), y_pred

    def per_sample(self, xp, y_true, y_pred):
        """Keras's ``call``: the unreduced loss values (entries of ``y_pred``'s class axis
        reduced) and the entry mask (or None)."""
        y_true, y_pred = self.align(xp, y_true, y_pred)
        return self.per_entry(xp, y_pred, y_true), self.entry_mask(xp, y_true)

    def __call__(self, y_true, y_pred, sample_weight=None):
        """The loss of a batch, reduced by ``reduction`` (a host array, Keras's semantics).

        Shapes: y_true, y_pred ``(N, ..., C)`` (sparse labels ``(N, ...)``); sample_weight
        ``(N,)`` or the values' shape.
        """
        values, mask = self.per_sample(numpy, numpy.asarray(y_true), float_array(y_pred))
        weights = None if sample_weight is None else numpy.asarray(sample_weight, "float64")
        if mask is not None:
            scale = mask.size / mask.sum() if self.reduction in (
                "sum_over_batch_size", "mean") and mask.any() else 1.0
            mask = mask * scale
            weights = mask if weights is None else mask * self._broadcast_weights(weights, mask)
        if weights is not None:
            values, weights = squeeze_or_expand(values, weights)
            weights = self._broadcast_weights(weights, values)
            values = values * weights
        dtype = self.dtype or config.floatx()
        if self.reduction in (None, "none") or values.ndim == 0 or values.shape == (0,):
            return values.astype(dtype)
        total = values.sum()
        if self.reduction != "sum":
            divisor = weights.sum() if self.reduction == "mean_with_sample_weight" and \
                weights is not None else values.size
            total = total / divisor if divisor else 0.0 * total
        return numpy.asarray(total, dtype=dtype)[()]

    def _broadcast_weights(self, weights, values):
        """Weights ``(N,)`` (any prefix of the values' shape) repeated over the other axes."""
        if weights.shape != values.shape[:weights.ndim]:
            try:
                return numpy.broadcast_to(weights, values.shape)
            except ValueError:
                raise ShapeError(f"loss '{self.name}': sample_weight of shape {weights.shape} "
                                 f"does not fit losses of shape {values.shape}") from None
        return weights.reshape(weights.shape + (1,) * (values.ndim - weights.ndim))

    # ---- the training loop's interface ----------------------------------------
    def label_shape(self, output_shape):
        """Expected shape of ``y_true`` for an output of ``output_shape``."""
        return tuple(output_shape[:-1]) if self.sparse_labels else tuple(output_shape)

    def check_labels(self, y_pred, y_true):
        if self.axis not in (-1, y_pred.ndim - 1):
            raise InvalidArgumentError(f"loss '{self.name}': in training the class axis is the "
                                       f"last one (axis=-1), received axis={self.axis}")
        expected = self.label_shape(y_pred.shape)
        if tuple(y_true.shape) != expected:
            raise ShapeError(f"loss '{self.name}': expected targets of shape {expected} for "
                             f"predictions {describe(y_pred)}, received {describe(y_true)}")

    def forward(self, y_pred, y_true, weights=None, normaliser=None):
        """The reduced loss of a batch; keeps what ``backward`` needs."""
        xp = get_backend().xp
        entries = self.per_entry(xp, y_pred, y_true)
        if normaliser is None:
            normaliser = entries.size
        weights, normaliser = self._reduction(xp, y_true, weights, normaliser)
        total = (entries if weights is None else entries * weights).sum()
        self._cache = (y_pred, y_true, weights, normaliser)
        return float(total) / normaliser

    def _reduction(self, xp, y_true, weights, normaliser):
        """The weights and divisor ``reduction`` gives, after the entry mask."""
        if self.reduction in (None, "none"):
            raise InvalidArgumentError(f"loss '{self.name}': reduction={self.reduction!r} "
                                       f"gives one value per sample; training needs a scalar "
                                       f"('sum_over_batch_size', 'sum', 'mean' or "
                                       f"'mean_with_sample_weight')")
        mask = self.entry_mask(xp, y_true)
        if mask is not None:
            valid = float(mask.sum())
            normaliser = normaliser * valid / mask.size if valid else 1.0
            mask = mask.astype(config.floatx())
            weights = mask if weights is None else weights * mask
        if self.reduction == "sum":
            return weights, 1.0
        if self.reduction == "mean_with_sample_weight" and weights is not None:
            return weights, float(weights.sum()) or 1.0
        return weights, normaliser

    def backward(self):
        """``dL/dy_pred`` of the last ``forward``: shape ``y_pred.shape``."""
        y_pred, y_true, weights, normaliser = self._cache
        self._cache = None
        xp = get_backend().xp
        scale = 1.0 / normaliser
        if weights is not None:
            scale = weights[..., None] * scale
        return self.per_entry_grad(xp, y_pred, y_true) * scale

    # ---- configs ---------------------------------------------------------------
    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config_dict):
        return cls(**config_dict)

    def __repr__(self):
        return f"{type(self).__name__}({self.get_config()})"


def float_array(values):
    """``values`` as a float host array (integers and booleans become floatx, as Keras)."""
    array = numpy.asarray(values)
    return array if array.dtype.kind == "f" else array.astype(config.floatx())
