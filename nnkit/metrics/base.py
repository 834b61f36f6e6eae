"""The metric protocol (Keras's): ``update_state(y_true, y_pred, sample_weight)``, ``result()``,
``reset_state()``; state that merges across batches and is saved for exact resume.

A metric accumulates over batches. The fit loop calls ``accumulate(xp, y_true, y_pred,
weights)`` with backend arrays and the loss's weights (sample weights times the mask,
``y_pred.shape[:-1]``, or None); ``update_state`` is the same for a user's own arrays.
``get_state()``/``set_state()`` hold plain numbers and lists (JSON), so a resumed fit
continues the running metrics exactly.
"""
import numpy

from nnkit.backend import get_backend
from nnkit.errors import InvalidArgumentError


class Metric:
    """Base class: a subclass gives ``accumulate``, ``result`` and its state's names."""

    name = None
    state_names = ()

    def __init__(self, name=None):
        if name is not None:
            self.name = name
        self.reset_state()

    def reset_state(self):
        for key in self.state_names:
            setattr(self, key, 0.0)

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add a batch: ``y_pred (N, ..., C)``, ``y_true`` as the loss takes it, weights ``(N, ...)``."""
        backend = get_backend()
        y_true, y_pred = backend.asarray(numpy.asarray(y_true)), backend.asarray(
            numpy.asarray(y_pred, dtype="float64"))
        if y_pred.ndim == 1:
            y_pred = y_pred[:, None]
        weights = None
        if sample_weight is not None:
            weights = backend.asarray(numpy.asarray(sample_weight, dtype="float64"))
            entries = y_pred.shape[:-1]
            if weights.shape != entries[:weights.ndim] or weights.ndim > len(entries):
                raise InvalidArgumentError(f"metric '{self.name}': sample_weight of shape "
                                           f"{tuple(weights.shape)} does not fit predictions "
                                           f"{tuple(y_pred.shape)}")
            weights = backend.xp.broadcast_to(
                weights.reshape(weights.shape + (1,) * (len(entries) - weights.ndim)), entries)
        self.accumulate(backend.xp, y_true, y_pred, weights)

    def accumulate(self, xp, y_true, y_pred, weights):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def get_state(self):
        return {key: _plain(getattr(self, key)) for key in self.state_names}

    def set_state(self, state):
        for key in self.state_names:
            if key not in state:
                raise InvalidArgumentError(f"metric '{self.name}': saved state lacks {key!r}")
            value = state[key]
            setattr(self, key, numpy.asarray(value, dtype="float64") if isinstance(value, list)
                    else float(value))

    def get_config(self):
        return {"name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _plain(value):
    return numpy.asarray(get_backend().to_numpy(value) if get_backend().is_array(value)
                         else value).tolist() if not isinstance(value, float) else value


class MeanMetric(Metric):
    """The weighted mean of a per-entry value: ``Σ w·v / Σ w`` over all batches."""

    state_names = ("total", "count")

    def values(self, xp, y_true, y_pred):
        """The per-entry values ``(N, ...)`` (``y_pred.shape[:-1]``)."""
        raise NotImplementedError

    def accumulate(self, xp, y_true, y_pred, weights):
        self.add(self.values(xp, y_true, y_pred), weights)

    def add(self, values, weights):
        """Add per-entry ``values`` with their ``weights`` (same shape, or None for ones)."""
        if weights is None:
            self.total += float(values.sum())
            self.count += float(values.size)
        else:
            self.total += float((values * weights).sum())
            self.count += float(weights.sum())

    def result(self):
        return self.total / self.count if self.count else 0.0
