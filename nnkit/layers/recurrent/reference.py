"""Textbook recurrent steps: the readable reference beside the fast paths.

The layers run optimised steps (``lstm.py``, ``gru.py``, ``rnn.py`` on weights
rearranged by ``gate_layout``) or the backend's compiled loops. This module
computes the same outputs the plain way, to be read and stepped through, and
the tests check both fast paths against it (``tests/test_reference_steps.py``):

- weights in Keras's layout as stored: kernel ``(D, G·H)``, recurrent_kernel
  ``(H, G·H)``, bias ``(G·H,)`` (GRU with ``reset_after``: ``(2, 3H)``, the
  input row and the recurrent row), column blocks in Keras's gate order
  (LSTM i, f, c, o; GRU z, r, h);
- the configured activations applied as they are (``activations.get``);
  nothing folded, nothing reordered;
- one step at a time over the whole batch, on the backend's arrays (``xp``).

Shapes: N batch, T time, D input size, H state size.

Example:
    >>> step = cell_step(layer.cells[0])               # a built LSTM, GRU or SimpleRNN
    >>> outputs, (h, c) = run(step, x, [h0, c0], mask)   # an LSTM's outputs and final states
"""
from functools import partial

from nnkit import activations
from nnkit.backend import get_backend
from nnkit.errors import InvalidArgumentError


def _apply(name, z):
    """The activation called ``name`` of ``z``."""
    return activations.get(name).forward(get_backend().xp, z)


def simple_rnn_step(x_t, h, kernel, recurrent_kernel, bias, activation="tanh"):
    """One step of Keras's SimpleRNN: ``h_t = act(x_t·W + h·U + b)``.

    Shapes: x_t ``(N, D)``, h ``(N, H)``; kernel ``(D, H)``, recurrent_kernel
    ``(H, H)``, bias ``(H,)``. Returns ``(h_t,)``.
    """
    h_t = _apply(activation, x_t @ kernel + h @ recurrent_kernel + bias)
    return (h_t,)


def lstm_step(x_t, h, c, kernel, recurrent_kernel, bias, activation="tanh",
              recurrent_activation="sigmoid"):
    """One step of Keras's LSTM (no peepholes).

    ``z = x_t·W + h·U + b`` split into four blocks (i, f, c, o):
    ``i = σ(z_i)``, ``f = σ(z_f)``, ``g = act(z_c)``, ``o = σ(z_o)``;
    ``c_t = f ⊙ c + i ⊙ g``, ``h_t = o ⊙ act(c_t)``.

    Shapes: x_t ``(N, D)``, h, c ``(N, H)``; kernel ``(D, 4H)``,
    recurrent_kernel ``(H, 4H)``, bias ``(4H,)``. Returns ``(h_t, c_t)``.
    """
    z = x_t @ kernel + h @ recurrent_kernel + bias
    z_i, z_f, z_c, z_o = get_backend().xp.split(z, 4, axis=-1)
    i = _apply(recurrent_activation, z_i)
    f = _apply(recurrent_activation, z_f)
    g = _apply(activation, z_c)
    o = _apply(recurrent_activation, z_o)
    c_t = f * c + i * g
    h_t = o * _apply(activation, c_t)
    return h_t, c_t


def gru_step(x_t, h, kernel, recurrent_kernel, bias, reset_after=True, activation="tanh",
             recurrent_activation="sigmoid"):
    """One step of Keras's GRU, blocks (z, r, h) of kernel, recurrent kernel and bias.

    ``z = σ(x_t·W_z + b_z + h·U_z + b'_z)`` (update), ``r = σ(x_t·W_r + b_r + h·U_r + b'_r)``
    (reset), the candidate

    - ``reset_after=True``:  ``ĥ = act(x_t·W_h + b_h + r ⊙ (h·U_h + b'_h))``;
    - ``reset_after=False``: ``ĥ = act(x_t·W_h + b_h + (r ⊙ h)·U_h)`` (no ``b'``);

    and ``h_t = z ⊙ h + (1 − z) ⊙ ĥ``.

    Shapes: x_t ``(N, D)``, h ``(N, H)``; kernel ``(D, 3H)``, recurrent_kernel
    ``(H, 3H)``, bias ``(2, 3H)`` (rows: ``b``, ``b'``) with ``reset_after``,
    else ``(3H,)``. Returns ``(h_t,)``.
    """
    split = get_backend().xp.split
    w_z, w_r, w_h = split(kernel, 3, axis=-1)
    u_z, u_r, u_h = split(recurrent_kernel, 3, axis=-1)
    if reset_after:
        b_z, b_r, b_h = split(bias[0], 3)
        b2_z, b2_r, b2_h = split(bias[1], 3)                # b' (the recurrent row)
    else:
        b_z, b_r, b_h = split(bias, 3)
        b2_z = b2_r = 0.0
    update = _apply(recurrent_activation, x_t @ w_z + b_z + h @ u_z + b2_z)
    reset = _apply(recurrent_activation, x_t @ w_r + b_r + h @ u_r + b2_r)
    if reset_after:
        candidate = _apply(activation, x_t @ w_h + b_h + reset * (h @ u_h + b2_h))
    else:
        candidate = _apply(activation, x_t @ w_h + b_h + (reset * h) @ u_h)
    h_t = update * h + (1.0 - update) * candidate
    return (h_t,)


def cell_step(cell):
    """The textbook step of a built ``LSTMCell``, ``GRUCell`` or ``RNNCell``, with its weights.

    Returns:
        ``step(x_t, *states) -> new states``, the states in the cell's
        ``state_names`` order (LSTM: h, c; GRU and RNN: h).
    """
    weights = {key: cell.params[key] for key in ("kernel", "recurrent_kernel", "bias")}
    activation = cell.activation.name
    if cell.celltype == "lstm":
        return partial(lstm_step, **weights, activation=activation)
    if cell.celltype == "gru":
        return partial(gru_step, **weights, reset_after=cell.reset_after, activation=activation,
                       recurrent_activation=cell.recurrent_activation.name)
    if cell.celltype == "rnn":
        return partial(simple_rnn_step, **weights, activation=activation)
    raise InvalidArgumentError(f"reference.cell_step: no reference step for celltype "
                               f"{cell.celltype!r} (expected 'lstm', 'gru' or 'rnn')")


def run(step, x, initial_states, mask=None, go_backwards=False):
    """Run ``step`` over every time step of a batch, as Keras and nnkit's layers do.

    A masked step keeps the previous states (and outputs the kept ``h``); a
    row with no valid step outputs its initial ``h``. With ``go_backwards``
    the steps are read last to first and the outputs are in that order (Keras).

    Args:
        step: ``step(x_t (N, D), *states (N, H)) -> new states`` (``h`` first),
            e.g. ``cell_step(cell)`` or a ``partial`` of a step function above.
        x: ``(N, T, D)`` inputs.
        initial_states: list of ``(N, H)``, in the step's order.
        mask: ``(N, T)`` bool, True where a step is valid; None: all valid.
        go_backwards: process the steps last to first.

    Returns:
        ``(outputs, final_states)``: ``outputs (N, T, H)`` the ``h`` after each
        step (``outputs[:, -1]`` is what ``return_sequences=False`` returns)
        and the list of final states ``(N, H)``.
    """
    xp = get_backend().xp
    n, t = x.shape[0], x.shape[1]
    if mask is None:
        mask = xp.ones((n, t), bool)
    if go_backwards:
        x, mask = x[:, ::-1], mask[:, ::-1]
    states = list(initial_states)
    outputs = []
    for time in range(t):
        new_states = step(x[:, time], *states)
        valid = mask[:, time, None]                 # (N, 1): where False, keep the old state
        states = [xp.where(valid, new, old) for new, old in zip(new_states, states)]
        outputs.append(states[0])
    return xp.stack(outputs, axis=1), states
