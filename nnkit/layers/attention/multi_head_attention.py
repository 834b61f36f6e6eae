"""MultiHeadAttention: Keras 3.15's multi-head scaled dot-product attention.

With ``heads`` heads of width K (query/key) and Kv (value)::

    Q_h = q Wq_h + bq_h     K_h = k Wk_h + bk_h     V_h = v Wv_h + bv_h
    P_h = softmax_mask(Q_h K_hᵀ / √K)              (N, heads, T, S)
    y   = Σ_h dropout(P_h) V_h Wo_h + bo

``mask`` joins, as Keras does, the query mask ``(N, T, 1)``, the value and key
masks ``(N, 1, S)``, the causal mask and ``attention_mask``; the query mask is
passed on as the output mask. Masked scores are set to ``-1e9`` and masked
weights to 0 (Keras's ``Softmax(mask)``, the path Keras takes when it returns
scores or uses dropout): a fully padded query row attends to nothing, its
output is ``bo`` and never NaN. (Keras's fused ``dot_product_attention`` path,
taken without dropout or returned scores, averages every value on such a row
instead; rows with at least one visible key agree on both paths.)

What backward needs (kept only in training): the flattened inputs, the
projected heads, the weights ``P`` (``N·heads·T·S`` numbers), the dropout mask
and the concatenated heads. In inference the weights are never stored whole
where the backend has the compiled ``attention`` kernel (a block of query rows
at a time), unless they are returned.

Differs from Keras: inputs are rank 3 (``attention_axes`` None or the time
axis); an explicit ``query_mask`` on arrays is honoured (Keras 3.15 replaces
it by the query tensor's own mask, None for a plain array); dropout masks come
from ``nnkit.random`` (``seed`` is kept for the config only).

Shapes:
    query ``(N, T, Dq)``, value ``(N, S, Dv)``, key ``(N, S, Dk)`` (default: value);
    y ``(N, T, E)`` (E = Dq, or ``output_shape``); scores ``(N, heads, T, S)``.
    Weights (Keras's order and layout): ``query_kernel (Dq, heads, K)``,
    ``query_bias (heads, K)``, ``key_kernel``, ``key_bias``, ``value_kernel
    (Dv, heads, Kv)``, ``value_bias (heads, Kv)``, ``attention_output_kernel
    (heads, Kv, E)``, ``attention_output_bias (E,)``.

Example:
    >>> mha = MultiHeadAttention(num_heads=2, key_dim=4)
    >>> mha(np.ones((3, 5, 8)), np.ones((3, 7, 8))).shape
    (3, 5, 8)
"""
import math

from nnkit import initializers, validation
from nnkit.backend import get_backend
from nnkit.errors import InvalidArgumentError
from nnkit.layers.attention.attention_inputs import AttentionInputs
from nnkit.layers.attention.fans import kernel_initializer
from nnkit.layers.attention.masked_softmax import masked_softmax, masked_softmax_backward
from nnkit.layers.attention.masks import combine
from nnkit.layers.attention.projection import project, project_backward
from nnkit.layers.dropout import dropout_mask
from nnkit.layers.symbolic import is_symbolic
from nnkit.registry import register_layer

#: projections in Keras's weight order: (name, input index in [query, value, key], head width)
_PROJECTIONS = (("query", 0, "key_dim"), ("key", 2, "key_dim"), ("value", 1, "value_dim"))
#: each projection's input position in [query, value, key]
_POSITIONS = {name: index for name, index, _ in _PROJECTIONS}


def _shared_input_groups(inputs):
    """``[(input position, [projection names])]`` in Keras's weight order: projections whose
    inputs (``[query, value, key]``) are the same array share one product (self-attention:
    one group of three)."""
    groups = []
    for name, index, _ in _PROJECTIONS:
        for position, names in groups:
            if inputs[position] is inputs[index]:
                names.append(name)
                break
        else:
            groups.append((index, [name]))
    return groups


def _heads(flat, n, heads):
    """The ``(N, heads, steps, K)`` view of projected steps ``flat (N·steps, heads·K)``."""
    return flat.reshape(n, -1, heads, flat.shape[1] // heads).transpose(0, 2, 1, 3)


@register_layer
class MultiHeadAttention(AttentionInputs):
    """Multi-head attention (see the module docstring for the formula, masks and shapes).

    Args:
        num_heads: number of heads. key_dim: K, width of each query/key head.
        value_dim: Kv, width of each value head (default K).
        dropout: rate of dropout on the attention weights (training only).
        use_bias: whether the four projections have biases.
        output_shape: the output's example shape after the time axis (int or tuple;
            default: the query's width).
        attention_axes: None, or the time axis (1 or -2): the only one nnkit attends over.
        kernel_initializer, bias_initializer: as Keras (fans per keras#22789, ``fans``).
        kernel_regularizer, bias_regularizer, kernel_constraint, bias_constraint:
            applied to all four kernels / biases, as Keras.
        seed: kept in the config (dropout draws from ``nnkit.random``).
    """

    regularizable = ("kernel", "bias")
    max_inputs = 4

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", seed=None, **kwargs):
        super().__init__(**kwargs)
        self.num_heads = validation.positive_int(self.where, "num_heads", num_heads)
        self.key_dim = validation.positive_int(self.where, "key_dim", key_dim)
        self.value_dim = validation.positive_int(self.where, "value_dim", value_dim,
                                                 allow_none=True) or self.key_dim
        self.dropout = validation.rate(self.where, "dropout", dropout)
        self.use_bias = validation.flag(self.where, "use_bias", use_bias)
        self.output_shape_given = output_shape            # for the config, as given
        if isinstance(output_shape, int):
            output_shape = (output_shape,)
        self.output_shape = None if not output_shape else tuple(
            validation.positive_int(self.where, "output_shape", size) for size in output_shape)
        axes = (attention_axes,) if isinstance(attention_axes, int) else attention_axes
        if axes is not None and tuple(axes) not in ((1,), (-2,)):
            raise InvalidArgumentError(f"{self.where}: nnkit "
                                       f"attends over the time axis only (attention_axes None, "
                                       f"1 or -2), received {attention_axes!r}")
        self.attention_axes = None if axes is None else list(axes)
        self.initializer_specs = (kernel_initializer, bias_initializer)    # as given
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.seed = seed

    def __call__(self, query, value=None, key=None, query_mask=None, value_mask=None,
                 key_mask=None, attention_mask=None, return_attention_scores=False,
                 training=None, use_causal_mask=False, mask=None):
        """Keras's call: ``mha(query, value, key=None, ...)``; also ``mha([query, value, key])``
        with ``mask=[...]`` (how graphs and ``check_gradients`` call a layer of several inputs).

        On symbolic tensors the masks come with the tensors, and a symbolic
        ``attention_mask`` becomes a fourth input ``[query, value, key, attention_mask]``.
        """
        if value is None:
            if not isinstance(query, (list, tuple)):
                raise InvalidArgumentError(f"{self.where}: expected query and value, "
                                           f"received only {type(query).__name__}")
            inputs = list(query)
        else:
            inputs = [query, value] + ([] if key is None else [key])
        given = [query_mask, value_mask, key_mask]
        if is_symbolic(inputs):
            if any(m is not None for m in given):
                raise InvalidArgumentError(f"{self.where}: on symbolic tensors the masks "
                                           f"travel with the tensors; received explicit masks")
            if attention_mask is not None:
                inputs = inputs[:2] + [inputs[2] if len(inputs) > 2 else inputs[1],
                                       attention_mask]
                attention_mask = None
        elif any(m is not None for m in given):
            if key_mask is not None and len(inputs) == 2:    # Keras applies it to the value steps
                xp = self.xp
                key_mask = xp.asarray(key_mask) != 0
                value_mask = key_mask if value_mask is None else (
                    (xp.asarray(value_mask) != 0) & key_mask)
            masks = [None] * 3 if mask is None else list(mask) + [None] * (3 - len(mask))
            mask = [m if m is not None else known for m, known in
                    zip([query_mask, value_mask, key_mask], masks)]
        return self.call_inputs(inputs, training, mask, attention_mask,
                                return_attention_scores, use_causal_mask)

    def _widths(self, shapes):
        """``(Dq, Dv, Dk, E)`` from the example shapes of [query, value(, key)]."""
        dq, dv = shapes[0][-1], shapes[1][-1]
        dk = shapes[2][-1] if len(shapes) > 2 else dv
        return dq, dv, dk, self.output_shape or (dq,)

    def build(self, input_shape):
        shapes = self.check_shapes(input_shape)
        widths = dict(zip(("query", "value", "key"), self._widths(shapes)))
        out = self._widths(shapes)[3]
        for name, _, width in _PROJECTIONS:
            size = getattr(self, width)
            self.add_weight(f"{name}_kernel", (widths[name], self.num_heads, size),
                            kernel_initializer(self.kernel_initializer, 1))
            if self.use_bias:
                self.add_weight(f"{name}_bias", (self.num_heads, size), self.bias_initializer)
        self.add_weight("attention_output_kernel", (self.num_heads, self.value_dim) + out,
                        kernel_initializer(self.kernel_initializer, 2))
        if self.use_bias:
            self.add_weight("attention_output_bias", out, self.bias_initializer)
        super().build(shapes)

    def example_output_shape(self, input_shape):
        shapes = self.check_shapes(input_shape)
        return (shapes[0][0],) + self._widths(shapes)[3]

    def scores_shape(self, shapes):
        return (self.num_heads, shapes[0][0], shapes[1][0])

    def _optioned(self, options):
        """Keras applies ``kernel_*``/``bias_*`` options to every projection's kernel/bias."""
        return [(key, options[key.rpartition("_")[2]]) for key in self.trainable_keys()
                if key.rpartition("_")[2] in options]

    def _biases(self, names):
        """The biases of the projections ``names``, or None without biases."""
        return [self.params[key] for key in self._bias_keys(names)] if self.use_bias else None

    def _bias_keys(self, names):
        return [f"{name}_bias" for name in names] if self.use_bias else None

    def _width(self, name):
        """Columns of projection ``name``'s output: heads · (K or Kv)."""
        return self.num_heads * (self.value_dim if name == "value" else self.key_dim)

    def _split(self, projected, names):
        """The column blocks of ``projected (M, Σ widths)``, one per projection in ``names``."""
        parts, start = [], 0
        for name in names:
            parts.append(projected[:, start:start + self._width(name)])
            start += self._width(name)
        return parts

    def attend(self, xs, masks, training, attention_mask, use_causal_mask, return_scores):
        """Run the attention on checked inputs; returns ``(y, scores or None)``.

        The heads stay in the projections' ``(N, steps, heads, K)`` layout and are read
        as ``(N, heads, steps, K)`` views (BLAS and the compiled kernel take their row
        stride as it is); the weighted values are written straight into the concatenated
        heads ``(N·T, heads·Kv)``. The backend's ``attention`` kernel, where it has one,
        computes scores, softmax and weighted values per head in one pass and writes the
        weights only when training or returning them; else NumPy does it in array passes.
        """
        xp = self.xp
        q, v = xs[0], xs[1]
        k = xs[2] if len(xs) > 2 else v
        (n, t, _), s = q.shape, v.shape[1]
        flat = [q.reshape(n * t, -1), v.reshape(n * s, -1), k.reshape(n * s, -1)]
        groups = _shared_input_groups([q, v, k])
        heads = {}
        for index, names in groups:
            projected = project(flat[index], [self.params[f"{name}_kernel"] for name in names],
                                self._biases(names))
            for name, part in zip(names, self._split(projected, names)):
                if name == "query":
                    part *= 1.0 / math.sqrt(self.key_dim)       # the scores' scale, here
                heads[name] = _heads(part, n, self.num_heads)
        dtype = heads["query"].dtype
        key_mask = masks[2] if len(masks) > 2 else None
        mask = combine(xp, t, s, masks[0], masks[1], key_mask, attention_mask, use_causal_mask)
        keep = None
        if training and self.dropout > 0:
            keep = dropout_mask((n, self.num_heads, t, s), self.dropout, dtype)
        concat = xp.empty((n * t, self.num_heads * self.value_dim), dtype)
        out = _heads(concat, n, self.num_heads)
        weights = xp.empty((n, self.num_heads, t, s), dtype) if training or return_scores \
            else None
        if get_backend().run_kernel("attention", heads["query"], heads["key"], heads["value"],
                                    mask, keep, weights, out) is None:
            weights = masked_softmax(xp, heads["query"] @ heads["key"].swapaxes(-1, -2),
                                     None if mask is None else mask[:, None], zero_masked=True)
            xp.matmul(weights if keep is None else weights * keep, heads["value"], out=out)
        y = project(concat, [self.params["attention_output_kernel"]],
                    self._biases(["attention_output"]))
        y = y.reshape((n, t) + tuple(self.params["attention_output_kernel"].shape[2:]))
        if training:
            self._cache = {"flat": flat, "groups": groups, "query": heads["query"],
                           "key": heads["key"], "value": heads["value"], "weights": weights,
                           "keep": keep, "concat": concat, "shapes": [x.shape for x in xs]}
        return y, weights

    def attend_backward(self, dy, d_scores):
        """``[dquery, dvalue(, dkey)]`` from ``dL/dy`` and ``dL/dscores`` (or None)."""
        xp = self.xp
        c, self._cache = self._cache, None
        (n, t, _), s = c["shapes"][0], c["shapes"][1][1]
        d_concat, = project_backward(c["concat"], dy.reshape(n * t, -1),
                                     [self.params["attention_output_kernel"]], self.grads,
                                     ["attention_output_kernel"],
                                     self._bias_keys(["attention_output"]))
        d_heads = _heads(d_concat, n, self.num_heads)
        d_flat, d = [], {}                                  # dL/d(projected steps), per group
        for index, names in c["groups"]:
            block = xp.empty((n * (t if index == 0 else s),
                              sum(self._width(name) for name in names)), d_concat.dtype)
            d_flat.append(block)
            d.update((name, _heads(part, n, self.num_heads))
                     for name, part in zip(names, self._split(block, names)))
        if get_backend().run_kernel("attention_backward", c["query"], c["key"], c["value"],
                                    c["keep"], c["weights"], d_heads, d_scores, d["query"],
                                    d["key"], d["value"]) is None:
            self._attention_backward(c, d_heads, d_scores, d)
        d["query"] *= 1.0 / math.sqrt(self.key_dim)
        dxs = [None, None, None]
        for (index, names), block in zip(c["groups"], d_flat):
            parts = project_backward(c["flat"][index], block,
                                     [self.params[f"{name}_kernel"] for name in names],
                                     self.grads, [f"{name}_kernel" for name in names],
                                     self._bias_keys(names))
            for name, dx in zip(names, parts):
                position = _POSITIONS[name]
                dxs[position] = dx.reshape(n, t if position == 0 else s, -1)
        if c["inputs"] == 2:
            return [dxs[0], dxs[1] + dxs[2]]
        return dxs + [None] * (c["inputs"] - 3)

    def _attention_backward(self, c, d_heads, d_scores, d):
        """NumPy's backward of the per-head attention: writes ``d["query"]`` (of the scaled
        query), ``d["key"]``, ``d["value"]`` (``(N, heads, steps, width)`` views)."""
        xp = self.xp
        keep, weights = c["keep"], c["weights"]
        xp.matmul((weights if keep is None else weights * keep).swapaxes(-1, -2), d_heads,
                  out=d["value"])
        d_weights = d_heads @ c["value"].swapaxes(-1, -2)
        if keep is not None:
            d_weights *= keep
        if d_scores is not None:
            d_weights += d_scores
        d_logits = masked_softmax_backward(weights, d_weights)
        xp.matmul(d_logits, c["key"], out=d["query"])
        xp.matmul(d_logits.swapaxes(-1, -2), c["query"], out=d["key"])

    def get_config(self):
        return {**super().get_config(), "num_heads": self.num_heads, "key_dim": self.key_dim,
                "value_dim": self.value_dim, "dropout": self.dropout, "use_bias": self.use_bias,
                "output_shape": (self.output_shape_given if not isinstance(
                    self.output_shape_given, tuple) else list(self.output_shape_given)),
                "attention_axes": self.attention_axes,
                "kernel_initializer": initializers.serialize(self.initializer_specs[0]),
                "bias_initializer": initializers.serialize(self.initializer_specs[1]),
                "seed": self.seed}
