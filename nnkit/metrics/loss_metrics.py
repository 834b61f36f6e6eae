"""Metrics that average a loss function (Keras's ``MeanMetricWrapper`` and its subclasses).

``MeanMetricWrapper(fn, **kwargs)`` accumulates the weighted mean of the per-sample values
``fn(y_true, y_pred, **kwargs)``. For nnkit's own loss functions the values come from the
loss class on the backend's arrays (with the class's entry mask, e.g. ``ignore_class``);
any other function is called on host NumPy arrays (no gradient is needed for a metric).

Keras's loss-like metric classes are this wrapper with a fixed function: the
cross-entropies (``from_logits``), ``KLDivergence``, ``Poisson``, ``Hinge``,
``SquaredHinge``, ``CategoricalHinge``, ``MeanAbsolutePercentageError``,
``MeanSquaredLogarithmicError``, ``LogCoshError`` and ``CosineSimilarity`` (the
similarity itself, positive: Keras's metric, unlike the loss, is not negated).
"""
import numpy

from nnkit import losses
from nnkit.backend import get_backend
from nnkit.errors import InvalidArgumentError
from nnkit.metrics.base import MeanMetric


class MeanMetricWrapper(MeanMetric):
    """The weighted mean of ``fn(y_true, y_pred, **kwargs)`` over samples and batches.

    Args:
        fn: one of ``nnkit.losses``'s functions, or a function of host arrays returning
            per-sample values ``(N, ...)``.
        name: the metric's name (default: the class's, else ``fn.__name__``).
        dtype: Keras's argument, kept in the config (results are Python floats).
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        if not callable(fn):
            raise InvalidArgumentError(f"metric MeanMetricWrapper: fn must be a function, "
                                       f"received {fn!r}")
        self.fn, self.fn_kwargs, self.dtype = fn, kwargs, dtype
        loss_class = losses.FUNCTION_CLASSES.get(fn)
        self.loss = None if loss_class is None else loss_class(**kwargs)
        super().__init__(name or type(self).name or getattr(fn, "__name__", None))

    def sample_values(self, xp, y_true, y_pred):
        """``(per-sample values, entry mask or None)`` of one batch."""
        if self.loss is not None:
            return self.loss.per_sample(xp, y_true, y_pred)
        backend = get_backend()
        values = self.fn(backend.to_numpy(y_true), backend.to_numpy(y_pred), **self.fn_kwargs)
        return backend.asarray(numpy.asarray(values, dtype="float64")), None

    def accumulate(self, xp, y_true, y_pred, weights):
        values, mask = self.sample_values(xp, y_true, y_pred)
        if weights is not None and weights.ndim > values.ndim:   # a size-1 class axis dropped
            weights = weights.mean(axis=tuple(range(values.ndim, weights.ndim)))
        if mask is not None:
            weights = mask if weights is None else weights * mask
        self.add(values, weights)

    def get_config(self):
        config = {**super().get_config(), "dtype": self.dtype, **self.fn_kwargs}
        if type(self) is MeanMetricWrapper:
            if self.fn not in losses.FUNCTION_CLASSES:
                raise InvalidArgumentError(f"metric '{self.name}': the custom function "
                                           f"{self.fn!r} cannot be saved in a config")
            config["fn"] = self.fn.__name__
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if cls is MeanMetricWrapper:
            config["fn"] = getattr(losses, config["fn"])
        return cls(**config)


def _fixed(class_name, fn, name, summary, options=()):
    """A ``MeanMetricWrapper`` subclass of ``fn`` taking ``(name, dtype, *options)``
    (``options``: ``(argument, default)`` pairs, in Keras's order)."""
    defaults = dict(options)

    def __init__(self, name=None, dtype=None, **kwargs):
        unknown = set(kwargs) - set(defaults)
        if unknown:
            raise InvalidArgumentError(f"metric {class_name}: unknown arguments "
                                       f"{sorted(unknown)}; it takes name, dtype"
                                       + "".join(f", {key}" for key in defaults))
        MeanMetricWrapper.__init__(self, fn, name, dtype, **{**defaults, **kwargs})

    return type(class_name, (MeanMetricWrapper,), {
        "__init__": __init__, "name": name, "__module__": __name__,
        "__doc__": f"{summary} (``nnkit.losses.{fn.__name__}``, averaged over samples)."})


_PROBABILITY = (("from_logits", False), ("label_smoothing", 0.0))
BinaryCrossentropy = _fixed("BinaryCrossentropy", losses.binary_crossentropy,
                            "binary_crossentropy", "Binary cross-entropy", _PROBABILITY)
CategoricalCrossentropy = _fixed("CategoricalCrossentropy", losses.categorical_crossentropy,
                                 "categorical_crossentropy", "Categorical cross-entropy",
                                 _PROBABILITY + (("axis", -1),))
SparseCategoricalCrossentropy = _fixed(
    "SparseCategoricalCrossentropy", losses.sparse_categorical_crossentropy,
    "sparse_categorical_crossentropy", "Cross-entropy of integer labels",
    (("from_logits", False), ("ignore_class", None), ("axis", -1)))
KLDivergence = _fixed("KLDivergence", losses.kl_divergence, "kl_divergence",
                      "Kullback-Leibler divergence")
Poisson = _fixed("Poisson", losses.poisson, "poisson", "Poisson loss")
Hinge = _fixed("Hinge", losses.hinge, "hinge", "Hinge loss")
SquaredHinge = _fixed("SquaredHinge", losses.squared_hinge, "squared_hinge",
                      "Squared hinge loss")
CategoricalHinge = _fixed("CategoricalHinge", losses.categorical_hinge, "categorical_hinge",
                          "Categorical hinge loss")
MeanAbsolutePercentageError = _fixed(
    "MeanAbsolutePercentageError", losses.mean_absolute_percentage_error,
    "mean_absolute_percentage_error", "Mean absolute percentage error")
MeanSquaredLogarithmicError = _fixed(
    "MeanSquaredLogarithmicError", losses.mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error", "Mean squared logarithmic error")
LogCoshError = _fixed("LogCoshError", losses.log_cosh, "logcosh", "Log-cosh error")
_LossOfSimilarity = _fixed("CosineSimilarity", losses.cosine_similarity, "cosine_similarity",
                            "Cosine similarity", (("axis", -1),))


class CosineSimilarity(_LossOfSimilarity):
    """Mean cosine similarity ``Σ ŷ·p̂`` over ``axis`` (1 for parallel vectors; the loss
    ``nnkit.losses.cosine_similarity`` is its negative)."""

    def sample_values(self, xp, y_true, y_pred):
        values, mask = super().sample_values(xp, y_true, y_pred)
        return -values, mask
