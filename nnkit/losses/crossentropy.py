"""Cross-entropies on probabilities or, with ``from_logits=True``, on logits (Keras's).

On probabilities Keras rescales each row to sum to one and clips it to
``[ε, 1 - ε]`` before the log (binary: clips only); on logits the loss is computed
from a log-sum-exp (categorical) or ``max(z, 0) - z·y + log(1 + e^-|z|)`` (binary),
which never overflows, and the gradient is the familiar ``softmax(z)·Σy - y`` or
``σ(z) - y``. ``label_smoothing`` ε_s replaces targets by ``y(1 - ε_s) + ε_s / C``
(binary: ``+ ε_s / 2``).
"""
from nnkit.errors import InvalidArgumentError, ShapeError, describe
from nnkit.losses.base import EPSILON, Loss


def _check_probability_options(owner, from_logits, label_smoothing):
    if not 0.0 <= float(label_smoothing) <= 1.0:
        raise InvalidArgumentError(f"loss {owner}: label_smoothing must be in [0, 1], "
                                   f"received {label_smoothing!r}")
    return bool(from_logits), float(label_smoothing)


def _log_softmax(xp, z):
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - xp.log(xp.exp(shifted).sum(axis=-1, keepdims=True))


def _normalised(xp, p):
    """``(q, inside, s)``: rows rescaled to sum one, the entries ``q`` the clip leaves, row sums."""
    s = p.sum(axis=-1, keepdims=True)
    q = p / s
    return q, (q >= EPSILON) & (q <= 1 - EPSILON), s


class SmoothedCrossentropy(Loss):
    """The arguments shared by the categorical and binary cross-entropies (Keras's)."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name=None, dtype=None):
        super().__init__(reduction, name, dtype)
        self.from_logits, self.label_smoothing = _check_probability_options(
            type(self).__name__, from_logits, label_smoothing)
        self.axis = int(axis)

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


class CategoricalCrossentropy(SmoothedCrossentropy):
    """``-Σ_c y_c log p_c`` for one-hot (or soft) targets ``(N, ..., C)``."""

    name = "categorical_crossentropy"


    def smoothed(self, y_true):
        if not self.label_smoothing:
            return y_true
        return y_true * (1.0 - self.label_smoothing) + self.label_smoothing / y_true.shape[-1]

    def per_entry(self, xp, y_pred, y_true):
        y = self.smoothed(y_true)
        if self.from_logits:
            return -(y * _log_softmax(xp, y_pred)).sum(axis=-1)
        q = _normalised(xp, y_pred)[0]
        return -(y * xp.log(xp.clip(q, EPSILON, 1 - EPSILON))).sum(axis=-1)

    def per_entry_grad(self, xp, y_pred, y_true):
        y = self.smoothed(y_true)
        if self.from_logits:
            return xp.exp(_log_softmax(xp, y_pred)) * y.sum(axis=-1, keepdims=True) - y
        # l = -Σ y log clip(q), q = p / s: dl/dp_j = (g_j - Σ_c g_c q_c) / s, g = dl/dq
        q, inside, s = _normalised(xp, y_pred)
        g = -y / xp.clip(q, EPSILON, 1 - EPSILON) * inside
        return (g - (g * q).sum(axis=-1, keepdims=True)) / s


class SparseCategoricalCrossentropy(Loss):
    """``-log p[y]`` for integer class ids ``y`` in ``[0, C)``, shape ``(N, ...)``.

    ``ignore_class``: entries whose label equals it add nothing and are left out of the
    count that "sum_over_batch_size" divides by (Keras's mask).
    """

    name = "sparse_categorical_crossentropy"
    sparse_labels = True

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 axis=-1, name=None, dtype=None):
        super().__init__(reduction, name, dtype)
        self.from_logits = bool(from_logits)
        self.ignore_class = None if ignore_class is None else int(ignore_class)
        self.axis = int(axis)

    def align(self, xp, y_true, y_pred):
        if y_true.ndim == y_pred.ndim and y_true.shape[self.axis] == 1:
            y_true = y_true.squeeze(axis=self.axis)
        if self.axis not in (-1, y_pred.ndim - 1):
            y_pred = xp.moveaxis(y_pred, self.axis, -1)
        if y_true.shape != y_pred.shape[:-1]:
            raise ShapeError(f"loss '{self.name}': expected labels of shape "
                             f"{y_pred.shape[:-1]} for predictions {describe(y_pred)}, "
                             f"received {describe(y_true)}")
        return y_true.astype("int64"), y_pred

    def entry_mask(self, xp, y_true):
        return None if self.ignore_class is None else y_true != self.ignore_class

    def _picked(self, xp, y_pred, y_true):
        """``(rows, at, mask)``: predictions as ``(M, C)``, the index of each row's label
        entry, and the rows that count (None for all; an ignored row points at class 0)."""
        labels = y_true.reshape(-1).astype("int64", copy=False)
        mask = self.entry_mask(xp, labels)
        if mask is not None:
            labels = xp.where(mask, labels, 0)
        return y_pred.reshape(-1, y_pred.shape[-1]), (xp.arange(labels.size), labels), mask

    def per_entry(self, xp, y_pred, y_true):
        rows, at, mask = self._picked(xp, y_pred, y_true)
        if self.from_logits:
            top = rows.max(axis=-1)
            values = top + xp.log(xp.exp(rows - top[:, None]).sum(axis=-1)) - rows[at]
        else:
            values = -xp.log(xp.clip(rows[at] / rows.sum(axis=-1), EPSILON, 1 - EPSILON))
        if mask is not None:
            values = xp.where(mask, values, 0.0)
        return values.reshape(y_true.shape)

    def per_entry_grad(self, xp, y_pred, y_true):
        rows, at, mask = self._picked(xp, y_pred, y_true)
        if self.from_logits:                    # softmax(z) - one_hot(y)
            grad = xp.exp(_log_softmax(xp, rows))
            grad[at] -= 1.0
        else:     # l = -log clip(q_y), q = p / s: dl/dp_j = (inside / s)(1 - δ_jy / q_y)
            s = rows.sum(axis=-1)
            q = rows[at] / s
            inside = ((q >= EPSILON) & (q <= 1 - EPSILON)) / s
            grad = xp.broadcast_to(inside[:, None], rows.shape).copy()
            grad[at] -= inside / xp.clip(q, EPSILON, 1 - EPSILON)
        if mask is not None:
            grad *= mask[:, None]
        return grad.reshape(y_pred.shape)

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits,
                "ignore_class": self.ignore_class, "axis": self.axis}


class BinaryCrossentropy(SmoothedCrossentropy):
    """Mean over the last axis of ``-(y log p + (1 - y) log(1 - p))`` (independent labels)."""

    name = "binary_crossentropy"


    def smoothed(self, y_true):
        return y_true * (1.0 - self.label_smoothing) + 0.5 * self.label_smoothing \
            if self.label_smoothing else y_true

    def per_entry(self, xp, y_pred, y_true):
        y = self.smoothed(y_true)
        if self.from_logits:
            z = y_pred
            return (xp.maximum(z, 0) - z * y + xp.log1p(xp.exp(-abs(z)))).mean(axis=-1)
        p = xp.clip(y_pred, EPSILON, 1 - EPSILON)
        return -(y * xp.log(p) + (1 - y) * xp.log(1 - p)).mean(axis=-1)

    def per_entry_grad(self, xp, y_pred, y_true):
        y = self.smoothed(y_true)
        if self.from_logits:
            return (_sigmoid(xp, y_pred) - y) / y_pred.shape[-1]
        inside = (y_pred >= EPSILON) & (y_pred <= 1 - EPSILON)
        p = xp.clip(y_pred, EPSILON, 1 - EPSILON)
        return (p - y) / (p * (1 - p)) * inside / y_pred.shape[-1]


def _sigmoid(xp, z):
    """``1 / (1 + e^-z)`` without overflow for large ``|z|``."""
    e = xp.exp(-abs(z))
    return xp.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
