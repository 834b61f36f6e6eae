"""Converters of SimpleRNN, LSTM, GRU (both variants), StackedCells and Bidirectional.

Each cell becomes ONNX's ``RNN``/``LSTM``/``GRU`` op, time-major inside the
graph (``X (T, N, D)``, as onnxruntime's CPU kernels take it). Under a mask the
rows are packed and unpacked around the ops (``nnkit.export.masks``), so the
outputs are nnkit's for any padding: a padded step carries the state and the
output forward, a row of only padding gives the initial state.

Weights move from Keras's layout (``kernel (D, G·H)``, gate blocks i, f, c, o
for the LSTM; z, r, h for the GRU) to ONNX's (``W (1, G·H, D)``, gate blocks
i, o, f, c; z, r, h) and ``B = [input bias, recurrent bias]``.
"""
import numpy

from nnkit import layers
from nnkit.backend import get_backend
from nnkit.export import masks as packing
from nnkit.export.converters import converts, unsupported
from nnkit.layers.recurrent.gru import GRUCell
from nnkit.layers.recurrent.lstm import LSTMCell
from nnkit.layers.recurrent.rnn import RNNCell

#: nnkit activation name → ONNX recurrent activation name
_ACTIVATIONS = {"tanh": "Tanh", "sigmoid": "Sigmoid", "relu": "Relu"}


def _onnx_activation(layer, name):
    if name not in _ACTIVATIONS:
        raise unsupported(layer, f"activation {name!r} inside a recurrent cell")
    return _ACTIVATIONS[name]


def _host(cell):
    return {key: numpy.asarray(get_backend().to_numpy(value), numpy.float32)
            for key, value in cell.params.items()}


def _lstm_blocks(array, h):
    """Keras's gate columns i, f, c, o → ONNX's i, o, f, c (along the last axis)."""
    i, f, c, o = (array[..., k * h:(k + 1) * h] for k in range(4))
    return numpy.concatenate([i, o, f, c], axis=-1)


def _cell_op(graph, layer, cell, x, lengths, initial):
    """Run one cell over ``x (T, N, D)``; returns ``(Y (T, N, H), {state name: (N, H)})``."""
    p, h = _host(cell), cell.units
    kind = type(cell)
    if kind is LSTMCell:
        op, gates = "LSTM", [_lstm_blocks(p[key], h) for key in ("kernel", "recurrent_kernel")]
        bias = numpy.concatenate([_lstm_blocks(p["bias"], h), numpy.zeros(4 * h, numpy.float32)])
        attributes = {"activations": ["Sigmoid", _onnx_activation(layer, cell.activation.name),
                                      "Tanh"]}
    elif kind is GRUCell:
        op, gates = "GRU", [p["kernel"], p["recurrent_kernel"]]
        bias = p["bias"].reshape(-1) if cell.reset_after else \
            numpy.concatenate([p["bias"], numpy.zeros(3 * h, numpy.float32)])
        attributes = {"linear_before_reset": int(cell.reset_after), "activations": [
            _onnx_activation(layer, cell.recurrent_activation.name),
            _onnx_activation(layer, cell.activation.name)]}
    elif kind is RNNCell:
        op, gates = "RNN", [p["kernel"], p["recurrent_kernel"]]
        bias = numpy.concatenate([p["bias"], numpy.zeros(h, numpy.float32)])
        attributes = {"activations": [_onnx_activation(layer, cell.activation.name)]}
    else:
        raise unsupported(layer, f"the cell {type(cell).__name__}")
    w, r = (graph.weight(matrix.T[None], name) for matrix, name in zip(gates, ("W", "R")))
    inputs = [x, w, r, graph.weight(bias[None], "B"), lengths or "",
              graph.unsqueeze(initial["h"], [0])]
    if op == "LSTM":
        inputs.append(graph.unsqueeze(initial["c"], [0]))
    outputs = graph.op(op, inputs, outputs=3 if op == "LSTM" else 2, hidden_size=h,
                       **attributes)
    y = graph.squeeze(outputs[0], [1])                   # (T, 1, N, H) → (T, N, H)
    states = {name: graph.squeeze(value, [0]) for name, value in
              zip(("h", "c"), outputs[1:])}
    return y, states


def run_recurrent(graph, layer, x, mask, initial_states=None, apply_mask=True):
    """The outputs of recurrent ``layer`` on ``x (N, T, D)``: ``([y, *states], y's mask)``.

    ``initial_states``: names of ``(N, H)`` states in ``initial_state`` order, or None (zeros).
    """
    if getattr(layer, "stateful", False):
        raise unsupported(layer, "stateful=True (states carried between calls)")
    if layer.go_backwards:
        x = graph.reverse_time(x)
        mask = None if mask is None else graph.reverse_time(mask)
    slots = layer.state_slots
    if initial_states is None:
        initial_states = [packing.zeros_state(graph, x, size) for _, _, size in slots]
    initial = [{} for _ in layer.cells]
    for (index, name, _), state in zip(slots, initial_states):
        initial[index][name] = state
    run_mask = mask if apply_mask else None
    lengths = None
    if run_mask is not None:
        x = packing.gather_steps(graph, x, packing.pack_order(graph, run_mask))
        lengths = packing.valid_lengths(graph, run_mask)
    sequence = graph.op("Transpose", [x], perm=[1, 0, 2])
    finals = []
    for cell, start in zip(layer.cells, initial):
        sequence, states = _cell_op(graph, layer, cell, sequence, lengths, start)
        if lengths is not None:
            states = {name: packing.keep_initial_where_empty(graph, value, lengths, start[name])
                      for name, value in states.items()}
        finals.append(states)
    final_states = [finals[index][name] for index, name, _ in slots]
    top_h = finals[-1]["h"]
    if layer.return_sequences:
        y = graph.op("Transpose", [sequence], perm=[1, 0, 2])
        if run_mask is not None:
            y = packing.carried_outputs(graph, y, run_mask, initial[-1]["h"])
    else:
        y = top_h
    out_mask = mask if layer.return_sequences else None
    return ([y, *final_states] if layer.return_state else [y]), out_mask


@converts(layers.RNN, layers.LSTM, layers.GRU, layers.StackedCells)
def recurrent(graph, layer, inputs, masks, call):
    """``[x]`` or ``[x, *initial_states]`` → ``[y]`` or ``[y, *final_states]``."""
    outputs, out_mask = run_recurrent(graph, layer, inputs[0], masks[0], inputs[1:] or None,
                                      call.get("apply_mask", True))
    return outputs, [out_mask] + [None] * (len(outputs) - 1)


@converts(layers.Bidirectional)
def bidirectional(graph, layer, inputs, masks, call):
    """Both directions on the same input; the backward sequence is flipped back, then merged."""
    x, mask, states = inputs[0], masks[0], inputs[1:]
    half = len(states) // 2
    apply_mask = call.get("apply_mask", True)
    fw, _ = run_recurrent(graph, layer.layer, x, mask, states[:half] or None, apply_mask)
    bw, _ = run_recurrent(graph, layer.backward_layer, x, mask, states[half:] or None,
                          apply_mask)
    fw_y, bw_y = fw[0], bw[0]
    if layer.return_sequences:
        bw_y = graph.reverse_time(bw_y)
    mode = layer.merge_mode
    if mode == "concat":
        merged = [graph.op("Concat", [fw_y, bw_y], axis=-1)]
    elif mode == "sum":
        merged = [graph.op("Add", [fw_y, bw_y])]
    elif mode == "mul":
        merged = [graph.op("Mul", [fw_y, bw_y])]
    elif mode == "ave":
        merged = [graph.op("Mul", [graph.op("Add", [fw_y, bw_y]), graph.floats(0.5)])]
    else:
        merged = [fw_y, bw_y]
    outputs = merged + fw[1:] + bw[1:]
    out_mask = mask if layer.return_sequences else None
    return outputs, [out_mask] * len(merged) + [None] * (len(outputs) - len(merged))
