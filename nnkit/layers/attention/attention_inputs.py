"""The base of attention layers: a list of inputs ``[query, value(, key(, attention_mask))]``.

It checks and converts the inputs and their masks, builds the layer, and
returns the output, or ``[output, scores]`` with ``return_attention_scores``
(on symbolic tensors too: ``scores_output``); the query's mask is passed on.
A subclass gives ``attend(xs, masks, training, attention_mask, use_causal_mask,
return_scores) -> (y, scores)`` (keeping its cache when training; scores may be
None when neither training nor returning them), ``attend_backward(dy,
d_scores) -> [dx, ...]``, ``example_output_shape`` and ``scores_shape``.

Shapes: query ``(N, T, Dq)``; value ``(N, S, Dv)``; key ``(N, S, Dk)``;
attention_mask ``(N, T, S)``, ``(1, T, S)`` or ``(T, S)`` (True: may attend);
masks ``(N, T)`` / ``(N, S)``.
"""
from nnkit.backend import get_backend
from nnkit.errors import DTypeError, InvalidArgumentError, ShapeError, describe
from nnkit.layers.attention.scores_output import call_symbolic, returns_scores
from nnkit.layers.base import Layer
from nnkit.layers.symbolic import is_symbolic


class AttentionInputs(Layer):
    """Input handling shared by ``MultiHeadAttention``, ``Attention`` and ``AdditiveAttention``.

    Class attribute ``max_inputs``: 3 ([query, value, key]) or 4 (an attention mask last).
    """

    supports_masking = True
    fixed_input_axes = ()
    max_inputs = 3

    def __call__(self, x, training=None, mask=None, return_attention_scores=False,
                 use_causal_mask=False):
        return self.call_inputs(x, training, mask, None, return_attention_scores,
                                use_causal_mask)

    def call_inputs(self, inputs, training, masks, attention_mask, return_attention_scores,
                    use_causal_mask):
        """Run on arrays, or record the call on symbolic tensors (whose masks travel with them)."""
        kwargs = {key: True for key, value in (("return_attention_scores", return_attention_scores),
                                               ("use_causal_mask", use_causal_mask)) if value}
        if is_symbolic(inputs):
            if training or masks is not None:
                kwargs = {**kwargs, "mask": masks, "training": training}
            return call_symbolic(self, list(inputs), kwargs)
        return self.apply(inputs, training=bool(training), mask=masks,
                          attention_mask=attention_mask, **kwargs)[0]

    # ---- shapes ------------------------------------------------------------
    def check_shapes(self, input_shape):
        """The example shapes as tuples; raises if they cannot be attended over."""
        if not isinstance(input_shape, (list, tuple)) or not all(
                isinstance(shape, (list, tuple)) for shape in input_shape) or not (
                2 <= len(input_shape) <= self.max_inputs):
            raise InvalidArgumentError(f"{self.where}: expected a list of 2 to "
                                       f"{self.max_inputs} inputs [query, value, key...], "
                                       f"received {input_shape!r}")
        shapes = [tuple(shape) for shape in input_shape]
        tensors = shapes[:3]
        if any(len(shape) != 2 for shape in tensors):
            raise ShapeError(f"{self.where}: expected query, value and key of rank 3 "
                             f"(N, T, D), received example shapes {tensors}")
        if len(tensors) == 3 and None not in (tensors[1][0], tensors[2][0]) and \
                tensors[1][0] != tensors[2][0]:
            raise ShapeError(f"{self.where}: value and key must have the same number of "
                             f"steps, received value {tensors[1]} and key {tensors[2]}")
        return shapes

    def output_shapes(self, input_shape):
        shapes = [self.example_output_shape(input_shape)]
        if returns_scores():
            shapes.append(self.scores_shape(self.check_shapes(input_shape)))
        return shapes

    def compute_mask(self, x, mask):
        """The query's mask (Keras)."""
        return None if not mask else mask[0]

    # ---- running -----------------------------------------------------------
    def _convert_attention_mask(self, value, query, steps):
        backend = get_backend()
        value = backend.asarray(value if backend.is_array(value) else
                                backend.xp.asarray(value))
        if value.dtype != bool:
            if value.dtype.kind not in "biuf":
                raise DTypeError(f"{self.where}: expected a boolean attention_mask, "
                                 f"received {describe(value)}")
            value = value != 0
        if value.ndim == 2:
            value = value[None]
        expected = (query.shape[0], query.shape[1], steps)
        if value.ndim != 3 or value.shape[0] not in (1, expected[0]) or \
                tuple(value.shape[1:]) != expected[1:]:
            raise ShapeError(f"{self.where}: expected an attention_mask of shape "
                             f"{expected} (N, T, S), received {describe(value)}")
        return value

    def apply(self, x, training=False, mask=None, attention_mask=None,
              return_attention_scores=False, use_causal_mask=False):
        """Check, build if needed, attend; returns ``(y or [y, scores], query mask)``."""
        if not isinstance(x, (list, tuple)):
            raise InvalidArgumentError(f"{self.where}: expected a list [query, value] or "
                                       f"[query, value, key], received {describe(x)}")
        self.check_shapes([tuple(getattr(value, "shape", ())[1:]) for value in x])
        xs = [self._convert_dense(value) for value in x[:3]]
        if len(x) == 4:
            attention_mask = x[3]
        if attention_mask is not None:
            attention_mask = self._convert_attention_mask(attention_mask, xs[0],
                                                          xs[1].shape[1])
        if len({int(value.shape[0]) for value in xs}) > 1 or 0 in xs[0].shape + xs[1].shape:
            raise ShapeError(f"{self.where}: expected non-empty inputs of one batch size, "
                             f"received {[describe(value) for value in xs]}")
        masks = [None] * len(xs) if mask is None else list(mask)[:len(xs)]
        masks = [self.check_mask(value, m) for value, m in zip(xs, masks)]
        masks += [None] * (len(xs) - len(masks))
        shapes = [tuple(value.shape[1:]) for value in xs]
        if not self.built:
            self.build(shapes)
        elif [shape[-1] for shape in shapes] != [shape[-1] for shape in
                                                 self.build_input_shape[:len(shapes)]]:
            raise ShapeError(f"{self.where}: built for feature sizes "
                             f"{[shape[-1] for shape in self.build_input_shape]}, received "
                             f"{[describe(value) for value in xs]}")
        y, scores = self.attend(xs, masks, training, attention_mask, use_causal_mask,
                                return_attention_scores)
        if training:
            self._cache["inputs"] = len(x)
        return ([y, scores] if return_attention_scores else y), self.compute_mask(xs, masks)

    def forward(self, x, training=False, mask=None, **kwargs):
        return self.apply(x, training=training, mask=mask, **kwargs)[0]

    def backward(self, dy):
        """``dy``, or ``[dy, d_scores]`` after ``return_attention_scores``; returns one
        gradient per input (None for an attention mask)."""
        d_scores = None
        if isinstance(dy, (list, tuple)):
            dy, d_scores = dy
        return self.attend_backward(dy, d_scores)
