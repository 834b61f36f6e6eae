"""check_padding_invariance: padding must not change what a masked model computes.

A model fed padded token ids (0 = padding, masked by ``Embedding(mask_zero=True)``)
should give the same predictions, loss and parameter gradients however the
padding is laid out. The check runs the model on the original batch and on
variations of it, and compares:

- ``post_padding`` / ``pre_padding``: each row's tokens moved to the start / end
  of the row (the pad side flipped, or kept, relative to the input);
- ``extra_post_padding`` / ``extra_pre_padding``: ``extra_padding`` pad columns
  appended / prepended;
- ``padding_embedding_row``: the contents of row 0 (the pad id's vector) of
  every ``Embedding(mask_zero=True)`` replaced by random values. The pad *id*
  cannot vary, since id 0 is what defines padding there, but the vector a
  masked step looks up must not matter. Skipped when the model has no such
  layer.

For each variation it records the largest absolute difference of the outputs
(``predict``; per-step outputs compared at the valid steps only), the loss
(``evaluate``) and each parameter gradient (``forward_loss`` → ``backward_loss``
→ ``named_gradients``). A difference fails when it exceeds
``atol + rtol · max|baseline|``.

A layer that cannot honour a mask raises when handed one (nnkit never drops a
mask silently), so such a model makes this check raise rather than pass.
Training-mode passes must be deterministic: use models without dropout.
"""
import numpy

from nnkit.backend import get_backend
from nnkit.errors import InvalidArgumentError, describe
from nnkit.layers.embedding import Embedding
from nnkit.models import structure


class PaddingInvarianceError(AssertionError):
    """The model's outputs, loss or gradients depend on the padding (``.report`` has details)."""


class PaddingVariation:
    """Largest absolute differences from the baseline for one variation.

    Attributes:
        name: variation name (e.g. "pre_padding").
        outputs: max |Δ| of the predictions at valid positions.
        loss: |Δ| of the evaluated loss.
        gradients: ``{"<layer>/<key>": max |Δ|}`` of each parameter gradient.
        failures: what exceeded the tolerance (empty when this variation passed).
    """

    def __init__(self, name, outputs, loss, gradients, failures):
        self.name, self.outputs, self.loss = name, outputs, loss
        self.gradients, self.failures = gradients, failures

    @property
    def worst_gradient(self):
        return max(self.gradients.values(), default=0.0)


class PaddingInvarianceReport:
    """Per-variation differences; ``ok`` is True when every one is within tolerance.

    Attributes:
        variations: ``{name: PaddingVariation}``.
        skipped: ``{name: reason}`` for variations that do not apply to the model.
    """

    def __init__(self, variations, skipped, atol, rtol):
        self.variations, self.skipped, self.atol, self.rtol = variations, skipped, atol, rtol

    @property
    def ok(self):
        return not any(v.failures for v in self.variations.values())

    def __str__(self):
        lines = [f"padding invariance: {'ok' if self.ok else 'FAILED'} "
                 f"(atol={self.atol:g}, rtol={self.rtol:g}); max |difference| from baseline:"]
        for v in self.variations.values():
            status = "ok" if not v.failures else "FAILED: " + "; ".join(v.failures)
            lines.append(f"  {v.name:<22} outputs {v.outputs:.3g}  loss {v.loss:.3g}  "
                         f"gradients {v.worst_gradient:.3g}  {status}")
        lines += [f"  {name:<22} skipped: {reason}" for name, reason in self.skipped.items()]
        return "\n".join(lines)


def check_padding_invariance(model, x, y, extra_padding=2, atol=1e-5, rtol=1e-4, seed=0,
                             raise_on_failure=True):
    """Check that a compiled model ignores padding (see the module docstring).

    Args:
        model: a compiled model whose first layer takes token ids, 0 = padding.
        x: padded integer ids ``(N, T)``, pre- or post-padded; for a model with
            several inputs a list or dict, whose 2-D integer inputs are all
            re-padded (other inputs stay as they are).
        y: targets ``(N, ...)``, or per-step targets ``(N, T, ...)`` when an
            output has one prediction per step of the first id input; a list
            or dict for several outputs.
        extra_padding: number k of pad columns added by the extra-padding variations.
        atol, rtol: a difference fails above ``atol + rtol · max|baseline|``.
        seed: seed of the random embedding row.
        raise_on_failure: raise PaddingInvarianceError (with the report) on failure.

    Returns:
        PaddingInvarianceReport.

    Raises:
        PaddingInvarianceError: a difference beyond tolerance (if raise_on_failure).
        InvalidArgumentError: ``x`` is not a 2-D integer array; also raised by a
            layer that cannot honour the mask.
        ShapeError: ``y`` does not fit the model's output (checked by the model).
    """
    names = model.input_names
    xs = [numpy.asarray(value) for value in structure.per_input(x, names, "x")]
    id_inputs = [i for i, value in enumerate(xs) if value.ndim == 2 and value.dtype.kind in "iu"]
    if not id_inputs:
        raise InvalidArgumentError(f"check_padding_invariance: expected padded integer ids "
                                   f"(N, T) in x, received "
                                   f"{[describe(value) for value in xs]}")
    ys = [numpy.asarray(value) for value in structure.per_output(y, model.output_names, "y")]
    baseline = _measure(model, xs, ys)
    steps_of = xs[id_inputs[0]].shape[1]         # per-step outputs follow the first id input
    per_step = [out.ndim >= 3 and out.shape[1] == steps_of for out in baseline["outputs"]]
    k = extra_padding
    variations, skipped = {}, {}
    reference = _Layouts(xs[id_inputs[0]], k)
    base = {**baseline, "outputs": reference.at_valid_steps(baseline["outputs"], per_step,
                                                            "original")}
    for name in _Layouts.NAMES:
        new_xs = list(xs)
        for i in id_inputs:
            new_xs[i] = _Layouts(xs[i], k).relayout(xs[i], name)
        new_ys = [reference.relayout(y_i, name) if step else y_i
                  for y_i, step in zip(ys, per_step)]
        measured = _measure(model, new_xs, new_ys)
        measured["outputs"] = reference.at_valid_steps(measured["outputs"], per_step, name)
        variations[name] = _compare(name, base, measured, atol, rtol)
    tables = _masking_embedding_tables(model)
    if tables:
        measured = _with_random_pad_rows(model, xs, ys, tables, seed)
        measured["outputs"] = reference.at_valid_steps(measured["outputs"], per_step, "original")
        variations["padding_embedding_row"] = _compare("padding_embedding_row", base, measured,
                                                       atol, rtol)
    else:
        skipped["padding_embedding_row"] = "no Embedding(mask_zero=True) layer in the model"
    report = PaddingInvarianceReport(variations, skipped, atol, rtol)
    if raise_on_failure and not report.ok:
        error = PaddingInvarianceError(str(report))
        error.report = report
        raise error
    return report


class _Layouts:
    """Where each valid token of a padded id array ``(N, T)`` goes in every variation."""

    NAMES = ("post_padding", "pre_padding", "extra_post_padding", "extra_pre_padding")

    def __init__(self, ids, extra):
        self.valid = ids != 0
        width = ids.shape[1]
        steps = numpy.broadcast_to(numpy.arange(width), ids.shape)
        rank = numpy.cumsum(self.valid, axis=1) - 1        # index of each token among its row's
        self.layouts = {
            "original": (steps, width),
            "post_padding": (rank, width),
            "pre_padding": (rank + width - self.valid.sum(axis=1, keepdims=True), width),
            "extra_post_padding": (steps, width + extra),
            "extra_pre_padding": (steps + extra, width + extra),
        }
        self.rows, self.cols = numpy.nonzero(self.valid)

    def relayout(self, values, name):
        """Move each valid step of ``values (N, T, ...)`` from column t to its new column."""
        dest, width = self.layouts[name]
        rows, cols = self.rows, self.cols
        moved = numpy.zeros((values.shape[0], width) + values.shape[2:], dtype=values.dtype)
        moved[rows, dest[rows, cols]] = values[rows, cols]
        return moved

    def at_valid_steps(self, outputs, per_step, name):
        """Each output, at the valid steps only when it has one entry per step."""
        dest, _ = self.layouts[name]
        return [out[self.rows, dest[self.rows, self.cols]] if step else out
                for out, step in zip(outputs, per_step)]


def _measure(model, xs, ys):
    """Predictions, evaluated loss and parameter gradients of ``model`` on lists ``xs``, ``ys``.

    The weights are restored after the training pass, so a layer that updates a
    state of its own in training (BatchNormalization's moving statistics) sees
    the same state in every variation.
    """
    backend = get_backend()
    n = len(xs[0])
    predicted = structure.per_output(model.predict(xs, batch_size=n), model.output_names, "y")
    outputs = [numpy.asarray(out, dtype=numpy.float64) for out in predicted]
    loss = float(model.evaluate(xs, ys, batch_size=n, return_dict=True)["loss"])
    weights = model.get_weights()
    model.zero_grads()
    model.forward_loss(xs, ys, training=True)
    model.backward_loss()
    gradients = {name: numpy.array(backend.to_numpy(grad), dtype=numpy.float64)
                 for name, grad in model.named_gradients().items()}
    model.zero_grads()
    model.set_weights(weights)
    return {"outputs": outputs, "loss": loss, "gradients": gradients}


def _compare(name, baseline, measured, atol, rtol):
    failures = []

    def difference(what, base, new):
        base, new = numpy.asarray(base), numpy.asarray(new)
        if base.shape != new.shape:
            failures.append(f"{what} shape {base.shape} became {new.shape}")
            return float("inf")
        diff = float(numpy.abs(base - new).max(initial=0.0))
        if not diff <= atol + rtol * float(numpy.abs(base).max(initial=0.0)):
            failures.append(f"{what} differs by {diff:.3g}")
        return diff

    outputs = max(difference("outputs" if len(baseline["outputs"]) == 1 else f"outputs[{i}]",
                             base, new)
                  for i, (base, new) in enumerate(zip(baseline["outputs"], measured["outputs"])))
    loss = difference("loss", baseline["loss"], measured["loss"])
    n_failures = len(failures)
    gradients = {key: difference(f"gradient '{key}'", grad, measured["gradients"][key])
                 for key, grad in baseline["gradients"].items()}
    if len(failures) > n_failures + 2:                  # keep the report readable
        failures[n_failures + 2:] = [f"{len(failures) - n_failures - 2} more gradients differ"]
    return PaddingVariation(name, outputs, loss, gradients, failures)


def _masking_embedding_tables(model):
    """The ``(V, E)`` tables of every Embedding(mask_zero=True) in the model (wrappers included)."""
    tables, pending = [], list(getattr(model, "layers", []))
    while pending:
        layer = pending.pop()
        if isinstance(layer, Embedding) and layer.mask_zero:
            tables.append(layer.params["embeddings"])
        if hasattr(layer, "children"):
            pending.extend(layer.children().values())
    return tables


def _with_random_pad_rows(model, xs, ys, tables, seed):
    """``_measure`` with row 0 of each table set to random values, restored afterwards."""
    backend = get_backend()
    rng = numpy.random.default_rng(seed)
    saved = [table[0].copy() for table in tables]
    try:
        for table in tables:
            table[0] = backend.asarray(rng.normal(size=table.shape[1]), dtype=table.dtype)
        return _measure(model, xs, ys)
    finally:
        for table, row in zip(tables, saved):
            table[0] = row
