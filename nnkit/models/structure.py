"""Inputs, targets, losses and metrics given as one value, a list or a dict, as lists in model order.

A model has named inputs and outputs (``input_names``, ``output_names``).
Users give ``x``/``y``/``sample_weight`` and ``loss``/``loss_weights``/``metrics``
as Keras does: one value (for a single input or output, or for all outputs),
a list in model order, or a dict by name. Everything is turned into lists in
model order once, here, with errors that name the missing or unknown keys.
"""
from nnkit.errors import InvalidArgumentError


def per_input(value, names, argument):
    """``x`` (or a batch of it) as a list in input order."""
    if isinstance(value, dict):
        return _from_dict(value, names, argument)
    if len(names) == 1:
        if isinstance(value, (list, tuple)) and len(value) == 1 and _is_array_like(value[0]) \
                and not _is_scalar_rows(value):
            return [value[0]]
        return [value]
    if not isinstance(value, (list, tuple)):
        raise InvalidArgumentError(f"{argument}: the model has {len(names)} inputs {names}; give "
                                   f"a list in that order or a dict by name, received "
                                   f"{type(value).__name__}")
    if len(value) != len(names):
        raise InvalidArgumentError(f"{argument}: expected {len(names)} arrays for {names}, "
                                   f"received {len(value)}")
    return list(value)


def per_output(value, names, argument, default=None, setting=False):
    """``y``/``sample_weight`` (or, with ``setting``, ``loss``/``loss_weights``) in output order.

    One non-list value applies to every output; None gives ``default`` for each.
    A one-entry list is that entry for a single output when it is a setting
    (``loss_weights=[1.0]``) or an array (``y=[labels]``).
    """
    if value is None:
        return [default] * len(names)
    if isinstance(value, dict):
        return _from_dict(value, names, argument)
    if isinstance(value, (list, tuple)) and len(names) > 1:
        if len(value) != len(names):
            raise InvalidArgumentError(f"{argument}: expected {len(names)} entries for the "
                                       f"outputs {names}, received {len(value)}")
        return list(value)
    if isinstance(value, (list, tuple)) and len(value) == 1 and len(names) == 1 and \
            (setting or hasattr(value[0], "shape")):
        return [value[0]]
    return [value] * len(names)


def metrics_per_output(metrics, names):
    """``metrics``: a list (every output), a list of lists (per output) or a dict by name."""
    if metrics is None:
        return [[] for _ in names]
    if isinstance(metrics, str) or not isinstance(metrics, (dict, list, tuple)):
        metrics = [metrics]                 # one metric (Keras takes "accuracy" as ["accuracy"])
    if isinstance(metrics, dict):
        unknown = sorted(set(metrics) - set(names))
        if unknown:
            raise InvalidArgumentError(f"metrics: unknown output names {unknown}; the outputs "
                                       f"are {names}")
        return [_as_list(metrics.get(name, [])) for name in names]
    metrics = list(metrics)
    if len(names) > 1 and metrics and all(isinstance(m, (list, tuple)) or m is None
                                          for m in metrics):
        if len(metrics) != len(names):
            raise InvalidArgumentError(f"metrics: expected {len(names)} lists for the outputs "
                                       f"{names}, received {len(metrics)}")
        return [_as_list(m) for m in metrics]
    return [list(metrics) for _ in names]


def pack(values, structure):
    """Lists in model order back into the user's structure: one value, a list or a dict."""
    kind, names = structure
    if kind == "single":
        return values[0]
    if kind == "dict":
        return dict(zip(names, values))
    return list(values)


def _from_dict(value, names, argument):
    unknown = sorted(set(value) - set(names))
    missing = [name for name in names if name not in value]
    if unknown or missing:
        raise InvalidArgumentError(f"{argument}: keys must be {names}; unknown {unknown}, "
                                   f"missing {missing}")
    return [value[name] for name in names]


def _as_list(value):
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _is_array_like(value):
    return hasattr(value, "shape") or isinstance(value, (list, tuple))


def _is_scalar_rows(value):
    """A list holding one list of numbers is one example's row, not a list of inputs."""
    first = value[0]
    return isinstance(first, (list, tuple)) and first and not _is_array_like(first[0])
