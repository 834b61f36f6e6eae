"""Numerical gradient checks in float64 for layers and models.

Two checks compare the hand-written backward pass with central differences:

- directional (Chainer's): for a random direction ``d`` per tensor,
  ``(L(θ + εd) - L(θ - εd)) / 2ε`` must equal ``Σ ∂L/∂θ · d``;
- element-wise (cs231n's): every element of tensors with at most
  ``max_elements`` entries is perturbed on its own.

For a layer the scalar is a fixed random projection of its output(s),
``L = Σ w ⊙ y``; for a compiled model it is the model's loss on ``(x, y)``.
nnkit's generator is reseeded before every forward pass, so dropout masks stay
fixed while the inputs move.
"""
import contextlib

import numpy

from nnkit import config, random
from nnkit.backend import get_backend
from nnkit.errors import DTypeError
from nnkit.models import structure


class GradientCheckError(AssertionError):
    """The analytic and numerical gradients disagree."""


@contextlib.contextmanager
def _float64():
    previous = config.floatx()
    config.set_floatx("float64")
    try:
        yield
    finally:
        config.set_floatx(previous)


class _LayerObjective:
    """``L = Σ w ⊙ layer(x)`` for fixed random ``w`` (one per output)."""

    def __init__(self, layer, mask, call_kwargs, rng):
        self.layer, self.mask, self.call_kwargs = layer, mask, call_kwargs
        self.weights = None
        self.rng = rng

    def _outputs(self, x):
        out = self.layer(x, training=True, mask=self.mask, **self.call_kwargs)
        return list(out) if isinstance(out, (list, tuple)) else [out]

    def value(self, x):
        outs = self._outputs(x)
        if self.weights is None:
            backend = get_backend()
            self.weights = [backend.asarray(self.rng.normal(size=o.shape)) for o in outs]
        self.layer.clear_cache()
        return float(sum((w * o).sum() for w, o in zip(self.weights, outs)))

    def gradients(self, x):
        self._outputs(x)
        dy = self.weights if len(self.weights) > 1 else self.weights[0]
        return self.layer.backward(dy)

    def parameters(self):
        # states a layer updates itself (moving statistics) have no gradient to check
        keys = [key for key in self.layer.params if key not in self.layer.non_trainable_keys]
        return ({key: self.layer.params[key] for key in keys},
                {key: self.layer.grads[key] for key in keys})

    def zero_grads(self):
        self.layer.zero_grads()


class _ModelObjective:
    """The compiled model's loss on ``(x, y)``."""

    def __init__(self, model, y, sample_weight, check_inputs):
        self.model, self.y, self.sample_weight = model, y, sample_weight
        self.check_inputs = check_inputs

    def value(self, x):
        loss = self.model.forward_loss(x, self.y, self.sample_weight, training=True)
        self.model.clear_cache()
        return loss

    def gradients(self, x):
        """The loss's gradients (with ``check_inputs``, the float inputs' too)."""
        previous = self.model.needs_input_grad
        self.model.needs_input_grad = self.check_inputs
        try:
            self.model.forward_loss(x, self.y, self.sample_weight, training=True)
            return self.model.backward_loss()
        finally:
            self.model.needs_input_grad = previous

    def parameters(self):
        return self.model.named_parameters(), self.model.named_gradients()

    def zero_grads(self):
        self.model.zero_grads()


def _input_names(target, x, is_model):
    """Names of the checked inputs (``"x"``, ``"x['tokens']"``, ``"x[0]"``) and whether there are several."""
    if is_model:
        names = target.input_names
        if len(names) == 1:
            return ["x"], False
        return [f"x[{name!r}]" for name in names], True
    if isinstance(x, (list, tuple)) and x and all(hasattr(v, "shape") for v in x):
        return [f"x[{i}]" for i in range(len(x))], True
    return ["x"], False


def _as_checked_array(backend, value):
    """A contiguous backend copy (float64 for floats): perturbed in place through a flat view."""
    value = numpy.ascontiguousarray(backend.to_numpy(value) if backend.is_array(value) else value)
    return backend.asarray(value, dtype="float64") if value.dtype.kind == "f" \
        else backend.asarray(value)


def _relative_error(a, b):
    return abs(a - b) / max(abs(a), abs(b), 1e-12)


def check_gradients(target, x, y=None, mask=None, sample_weight=None, eps=1e-6,
                    rtol=1e-6, atol=1e-9, max_elements=64, seed=0, check_inputs=False,
                    **call_kwargs):
    """Check ``target``'s backward pass against central differences in float64.

    Args:
        target: a Layer (checked through ``L = Σ w ⊙ y`` for random ``w``) or a
            compiled model (checked through its loss on ``(x, y)``).
        x: input batch; float inputs are checked too, integer ids are not. For a
            model with several inputs a list or dict by Input name; for a merge
            layer a list.
        y: targets (models only).
        mask: boolean ``(N, T)`` mask handed to a layer.
        sample_weight: per-example or per-step weights (models only).
        eps: finite-difference step.
        rtol, atol: tolerances on the relative error of each comparison.
        max_elements: tensors up to this size are also checked element by element.
        seed: seed of the projection, directions and the fixed dropout masks.
        check_inputs: for a model, also check the gradients of its float inputs
            (off by default: a model never computes them in training, and an
            input read by ``Masking`` has no derivative where it equals the
            mask value). A layer's float input is always checked.
        **call_kwargs: extra arguments for the layer call (e.g. ``initial_state``).

    Returns:
        dict mapping each checked tensor ("x", "x['name']" / "x[i]" for several
        inputs, or a parameter name) to its worst relative error.

    Raises:
        GradientCheckError: a gradient disagrees (the message names the tensor).
        DTypeError: the target was built with float32 weights.
    """
    rng = numpy.random.default_rng(seed)
    backend = get_backend()
    with _float64():
        is_model = hasattr(target, "forward_loss")
        objective = (_ModelObjective(target, y, sample_weight, check_inputs) if is_model
                     else _LayerObjective(target, mask, call_kwargs, rng))
        names, several = _input_names(target, x, is_model)
        inputs = [_as_checked_array(backend, value) for value in
                  (structure.per_input(x, target.input_names, "x") if is_model
                   else (x if several else [x]))]
        fed = inputs if several else inputs[0]

        def loss_at():
            random.set_seed(seed)
            return objective.value(fed)

        loss_at()
        params, grads = objective.parameters()
        for name, value in params.items():
            if value.dtype != numpy.float64:
                raise DTypeError(f"check_gradients: parameter '{name}' is {value.dtype}; build "
                                 f"the layer or model under nnkit.set_floatx('float64')")
        objective.zero_grads()
        random.set_seed(seed)
        dx = objective.gradients(fed)
        d_inputs = list(dx) if several and dx is not None else [dx]
        tensors = {}
        for name, value, grad in zip(names, inputs, d_inputs):
            if grad is not None and value.dtype.kind == "f":
                tensors[name] = (value, backend.to_numpy(grad).copy())
        tensors.update({name: (params[name], backend.to_numpy(grads[name]).copy())
                        for name in params})
        errors = {}
        for name, (value, grad) in tensors.items():
            errors[name] = _check_tensor(name, value, grad, loss_at, rng, eps, rtol, atol,
                                         max_elements)
    return errors


def _check_tensor(name, value, grad, loss_at, rng, eps, rtol, atol, max_elements):
    backend = get_backend()
    direction = rng.normal(size=value.shape)
    device_direction = backend.asarray(direction)
    original = value.copy()
    value += eps * device_direction
    plus = loss_at()
    value[...] = original - eps * device_direction
    minus = loss_at()
    value[...] = original
    numeric = (plus - minus) / (2 * eps)
    analytic = float((grad * direction).sum())
    worst = _compare(name, "direction", analytic, numeric, rtol, atol)
    if value.size <= max_elements:
        flat = value.reshape(-1)
        for i in range(value.size):
            keep = float(flat[i])
            flat[i] = keep + eps
            plus = loss_at()
            flat[i] = keep - eps
            minus = loss_at()
            flat[i] = keep
            numeric = (plus - minus) / (2 * eps)
            worst = max(worst, _compare(name, f"element {numpy.unravel_index(i, value.shape)}",
                                        float(grad.reshape(-1)[i]), numeric, rtol, atol))
    return worst


def _compare(name, where, analytic, numeric, rtol, atol):
    error = _relative_error(analytic, numeric)
    if abs(analytic - numeric) > atol + rtol * max(abs(analytic), abs(numeric)):
        raise GradientCheckError(f"gradient of '{name}' ({where}) is wrong: backward gives "
                                 f"{analytic:.10g}, central differences give {numeric:.10g} "
                                 f"(relative error {error:.3g})")
    return error
