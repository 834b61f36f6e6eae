"""Converters of MultiHeadAttention, PositionEmbedding, TokenAndPositionEmbedding and
TransformerEncoder (``nnkit.layers.attention``).

Shapes: query ``(N, T, Dq)``, value/key ``(N, S, D)``, heads ``(N, heads, T, K)``,
scores ``(N, heads, T, S)``. Masks as nnkit's: the query, value and key masks, the
causal mask and an explicit ``attention_mask`` are joined; masked scores become
``-1e9`` and masked weights 0, so a fully padded query row outputs the output bias.
"""
import math

from onnx import TensorProto

from nnkit import layers
from nnkit.export.converters import convert_layer, converts, params_of, single

_LARGE = 1e9


def _heads(graph, x, kernel, bias):
    """``x (N, T, D)`` projected by ``kernel (D, heads, K)`` → ``(N, heads, T, K)``."""
    d, heads, width = kernel.shape
    y = graph.op("MatMul", [x, graph.weight(kernel.reshape(d, heads * width), "kernel")])
    if bias is not None:
        y = graph.op("Add", [y, graph.weight(bias.reshape(-1), "bias")])
    y = graph.op("Reshape", [y, graph.ints([0, 0, heads, width])])
    return graph.op("Transpose", [y], perm=[0, 2, 1, 3])


def _causal(graph, query, value):
    """``(1, T, S)``: query step t sees key steps s ≤ t."""
    rows = graph.op("Range", [graph.ints(0), graph.squeeze(graph.dim(query, 1), [0]),
                              graph.ints(1)])
    cols = graph.op("Range", [graph.ints(0), graph.squeeze(graph.dim(value, 1), [0]),
                              graph.ints(1)])
    return graph.unsqueeze(graph.op("GreaterOrEqual", [graph.unsqueeze(rows, [1]),
                                                       graph.unsqueeze(cols, [0])]), [0])


def _joined_mask(graph, inputs, masks, causal):
    """The ``(N or 1, T, S)`` boolean mask of every mask given, or None."""
    query, value = inputs[0], inputs[1]
    parts = []
    if masks[0] is not None:
        parts.append(graph.unsqueeze(masks[0], [2]))
    parts += [graph.unsqueeze(m, [1]) for m in masks[1:3] if m is not None]
    if causal:
        parts.append(_causal(graph, query, value))
    if len(inputs) == 4:
        explicit = graph.cast(inputs[3], TensorProto.BOOL)
        parts.append(explicit)
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined = graph.op("And", [combined, part])
    return combined


@converts(layers.MultiHeadAttention)
def multi_head_attention(graph, layer, inputs, masks, call):
    query, value = inputs[0], inputs[1]
    key = inputs[2] if len(inputs) > 2 else value
    p = params_of(layer)

    def bias(name):
        return p.get(f"{name}_bias")

    q = _heads(graph, query, p["query_kernel"], bias("query"))
    k = _heads(graph, key, p["key_kernel"], bias("key"))
    v = _heads(graph, value, p["value_kernel"], bias("value"))
    q = graph.op("Mul", [q, graph.floats(1.0 / math.sqrt(layer.key_dim))])
    scores = graph.op("MatMul", [q, graph.op("Transpose", [k], perm=[0, 1, 3, 2])])
    mask = _joined_mask(graph, inputs, masks + [None] * (3 - len(masks)),
                        bool(call.get("use_causal_mask")))
    if mask is None:
        weights = graph.op("Softmax", [scores], axis=-1)
    else:
        mask = graph.unsqueeze(mask, [1])
        masked = graph.op("Where", [mask, scores, graph.floats(-_LARGE)])
        weights = graph.op("Where", [mask, graph.op("Softmax", [masked], axis=-1),
                                     graph.floats(0.0)])
    heads, width = p["value_kernel"].shape[1:]
    joined = graph.op("Transpose", [graph.op("MatMul", [weights, v])], perm=[0, 2, 1, 3])
    joined = graph.op("Reshape", [joined, graph.ints([0, 0, heads * width])])
    out_kernel = p["attention_output_kernel"]
    out_shape = out_kernel.shape[2:]
    y = graph.op("MatMul", [joined, graph.weight(out_kernel.reshape(heads * width, -1),
                                                 "output_kernel")])
    if bias("attention_output") is not None:
        y = graph.op("Add", [y, graph.weight(bias("attention_output").reshape(-1),
                                             "output_bias")])
    if len(out_shape) > 1:
        y = graph.op("Reshape", [y, graph.ints([0, 0, *out_shape])])
    outputs = [y, weights] if call.get("return_attention_scores") else [y]
    return outputs, [masks[0]] + [None] * (len(outputs) - 1)


def _position_rows(graph, layer, x, start):
    """Rows ``start .. start + T − 1`` of the position table, broadcast to ``x (N, T, D)``."""
    table = graph.weight(params_of(layer)["embeddings"], "embeddings")
    end = graph.op("Add", [graph.dim(x, 1), graph.ints([start])])
    rows = graph.op("Slice", [table, graph.ints([start]), end, graph.ints([0])])
    return graph.op("Expand", [rows, graph.op("Shape", [x])])


@converts(layers.PositionEmbedding)
def position_embedding(graph, layer, inputs, masks, call):
    x, _ = single(inputs, masks, layer)
    return [_position_rows(graph, layer, x, int(call.get("start_index", 0)))], [None]


@converts(layers.TokenAndPositionEmbedding)
def token_and_position_embedding(graph, layer, inputs, masks, call):
    ids, _ = single(inputs, masks, layer)
    children = layer.children()
    (tokens,), (mask,) = convert_layer(graph, children["token_embedding"], [ids], [None], {})
    rows = _position_rows(graph, children["position_embedding"], tokens,
                          int(call.get("start_index", 0)))
    return [graph.op("Add", [tokens, rows])], [mask]


@converts(layers.TransformerEncoder)
def transformer_encoder(graph, layer, inputs, masks, call):
    """keras_hub's encoder block, post-norm or pre-norm, from its children's converters."""
    x, mask = single(inputs, masks, layer)
    c, first = layer.children(), layer.normalize_first

    def run(role, value, value_masks=None):
        extra = [None] if value_masks is None else value_masks
        return convert_layer(graph, c[role], value if isinstance(value, list) else [value],
                             extra, {})[0][0]

    h = run("self_attention_layer_norm", x) if first else x
    h = graph.op("Add", [x, run("self_attention_layer", [h, h], [mask, mask])])
    if not first:
        h = run("self_attention_layer_norm", h)
    f = run("feedforward_layer_norm", h) if first else h
    f = run("feedforward_output_dense", run("feedforward_intermediate_dense", f))
    y = graph.op("Add", [h, f])
    return [y if first else run("feedforward_layer_norm", y)], [mask]
