"""Any padding mask as index arithmetic in ONNX: pack each row's valid steps to the front and back.

ONNX's ``LSTM``/``GRU``/``RNN`` take ``sequence_lens``, which only describes
post-padding, and write zeros into ``Y`` after a row's length. nnkit's masks
allow any padding (pre, post, holes, rows of only padding), and a padded step
carries the previous state and output forward. So, per row:

1. ``order (N, T)``: the positions of the valid steps in time order, then the
   padded ones: ``TopK`` of the unique keys ``m_t·T − t`` (a stable sort of the
   positions by validity).
2. ``packed = x[n, order[n, r]]`` (``GatherElements``): each row's valid steps
   left-aligned, so ``sequence_lens = Σ_t m_t`` describes them exactly.
3. After the recurrent op, output step ``t`` is the state after the row's
   ``c_t = Σ_{s≤t} m_s``-th valid step (``CumSum``), the initial state when
   ``c_t = 0``: one ``GatherElements`` from ``[h0, Y_packed]`` ``(N, T + 1, H)``.

Cost: a TopK over ``(N, T)`` and two gathers of ``N·T·D`` and ``N·T·H`` numbers
around the recurrent op; nothing inside its time loop.
"""
from onnx import TensorProto


def steps_int(graph, mask):
    """The mask ``(N, T)`` as int64 0/1."""
    return graph.cast(mask, TensorProto.INT64)


def valid_lengths(graph, mask):
    """``Σ_t m[n, t]`` as int32 ``(N,)`` (what ``sequence_lens`` takes)."""
    return graph.cast(graph.reduce("ReduceSum", steps_int(graph, mask), [1], False),
                      TensorProto.INT32)


def pack_order(graph, mask):
    """``(N, T)`` int64: each row's valid positions in time order, then its padded ones."""
    steps = graph.dim(mask, 1)                                              # [T]
    times = graph.op("Range", [graph.ints(0), graph.squeeze(steps, [0]), graph.ints(1)])
    keys = graph.op("Sub", [graph.op("Mul", [steps_int(graph, mask), steps]), times])
    _, order = graph.op("TopK", [keys, steps], outputs=2, axis=1, largest=1, sorted=1)
    return order


def gather_steps(graph, x, positions):
    """``y[n, r] = x[n, positions[n, r]]`` for ``x (N, S, D)`` and ``positions (N, T)``."""
    shape = graph.op("Concat", [graph.op("Shape", [positions]), graph.dim(x, -1)], axis=0)
    index = graph.op("Expand", [graph.unsqueeze(positions, [2]), shape])
    return graph.op("GatherElements", [x, index], axis=1)


def carried_outputs(graph, packed_outputs, mask, initial):
    """The output sequence ``(N, T, H)`` with padded steps holding the carried state.

    Args:
        packed_outputs: ``(N, T, H)`` the recurrent op's outputs on packed rows.
        mask: ``(N, T)`` boolean, in the order the layer processed the steps.
        initial: ``(N, H)`` the initial state (a row's output before its first valid step).
    """
    count = graph.op("CumSum", [steps_int(graph, mask), graph.ints(1)])    # (N, T) in 0..L
    table = graph.op("Concat", [graph.unsqueeze(initial, [1]), packed_outputs], axis=1)
    return gather_steps(graph, table, count)


def keep_initial_where_empty(graph, final, lengths, initial):
    """``final (N, H)``, or ``initial`` on rows whose ``lengths`` (int32 ``(N,)``) is 0."""
    any_step = graph.op("Greater", [graph.cast(lengths, TensorProto.INT64), graph.ints(0)])
    return graph.op("Where", [graph.unsqueeze(any_step, [1]), final, initial])


def zeros_state(graph, x, units):
    """Zeros ``(N, units)`` with the batch size of ``x`` (a recurrent layer's default state)."""
    shape = graph.op("Concat", [graph.dim(x, 0), graph.ints([units])], axis=0)
    return graph.op("Expand", [graph.floats(0.0), shape])
