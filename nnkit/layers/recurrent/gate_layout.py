"""The fast paths' weight layout: Keras's column blocks rearranged for the time loop.

Weights are stored (and saved, and compared with Keras) in Keras's layout;
``reference.py`` computes with them as they are. The time loop (NumPy steps
and the backend's compiled loops alike: both receive what ``Cell.forward_weights``
and ``backward_weights`` return) works on copies arranged here, and the
weight gradients it computes in that arrangement are added back here.

LSTM (Keras blocks i, f, c, o → loop blocks i, f, o, g, with g = c's block):

- the three sigmoid gates become one contiguous block ``[:, :3H]``, so one
  ``tanh`` and one affine map cover ``(k, 4H)`` per step;
- ``σ(z) = ½·tanh(z/2) + ½``: the ``z/2`` is folded into the forward copies
  (i, f, o columns of kernel, recurrent kernel and bias times ½), so the step
  applies ``tanh`` to all four blocks and then ``a = scale·tanh + shift``
  with ``scale = shift = ½`` on i, f, o and ``scale = 1, shift = 0`` on g
  (``lstm_columns``). The backward copies (``dz · Wᵀ``) are not halved: the
  loop's ``dz`` is the gradient of the unhalved pre-activation.

GRU (Keras blocks z, r, h; ``reset_after`` as Keras):

- ``reset_after=True``: four loop blocks ``[z, r, x·W_h, h·U_h]``: kernel
  ``[W_z, W_r, W_h, 0]``, recurrent kernel ``[U_z, U_r, 0, U_h]``, bias
  ``[b_z + b'_z, b_r + b'_r, b_h, b'_h]``, so the one GEMM per step gives both
  halves of the candidate, ``x·W_h + b_h`` and ``h·U_h + b'_h``;
- ``reset_after=False``: three blocks, recurrent kernel ``[U_z, U_r, 0]``
  (the step multiplies ``r ⊙ h`` by ``U_h`` itself).

The GRU's sigmoid halves its own ``z`` in place; nothing is folded.

Copies are made with block slices, not a column gather (~10x slower); a GEMM
with a column-permuted, Fortran-ordered weight is ~2x slower.
"""


def lstm_loop_order(xp, weight, halve_sigmoid_gates=False):
    """A C-contiguous copy of ``weight (..., 4H)`` with Keras blocks (i, f, c, o) as (i, f, o, g).

    ``halve_sigmoid_gates`` folds the ½ of ``σ(z) = ½·tanh(z/2) + ½`` into i, f, o.
    """
    h = weight.shape[-1] // 4
    out = xp.empty_like(weight)
    out[..., :2 * h] = weight[..., :2 * h]
    out[..., 2 * h:3 * h] = weight[..., 3 * h:]
    out[..., 3 * h:] = weight[..., 2 * h:3 * h]
    if halve_sigmoid_gates:
        out[..., :3 * h] *= 0.5
    return out


def lstm_add_to_keras_order(target, loop_grad):
    """``target (..., 4H)`` (Keras blocks i, f, c, o) += ``loop_grad`` (loop blocks i, f, o, g)."""
    h = target.shape[-1] // 4
    target[..., :2 * h] += loop_grad[..., :2 * h]
    target[..., 2 * h:3 * h] += loop_grad[..., 3 * h:]
    target[..., 3 * h:] += loop_grad[..., 2 * h:3 * h]


def lstm_columns(xp, h, gates, candidate, dtype):
    """A ``(4H,)`` row of ``gates`` on the loop's i, f, o columns and ``candidate`` on g."""
    return xp.concatenate([xp.full(3 * h, gates), xp.full(h, candidate)]).astype(dtype)


def gru_loop_kernels(xp, kernel, recurrent_kernel, reset_after):
    """The loop's kernel ``(D, GH)`` and recurrent kernel ``(H, GH)`` from Keras's ``(D, 3H)``,
    ``(H, 3H)``; G = 4 with ``reset_after``, else 3."""
    h = recurrent_kernel.shape[0]
    zeros = xp.zeros_like(recurrent_kernel[:, :h])
    if not reset_after:
        return kernel, xp.concatenate([recurrent_kernel[:, :2 * h], zeros], axis=1)
    return (xp.concatenate([kernel, xp.zeros_like(kernel[:, :h])], axis=1),
            xp.concatenate([recurrent_kernel[:, :2 * h], zeros, recurrent_kernel[:, 2 * h:]],
                           axis=1))


def gru_loop_bias(xp, bias, reset_after):
    """The loop's bias ``(GH,)`` from Keras's ``(2, 3H)`` (``reset_after``) or ``(3H,)``."""
    if not reset_after:
        return bias
    h = bias.shape[1] // 3
    return xp.concatenate([bias[0, :2 * h] + bias[1, :2 * h], bias[0, 2 * h:], bias[1, 2 * h:]])


def gru_add_to_keras_order(grads, dW, dU, db, reset_after):
    """Add the loop-layout gradients into ``grads`` (Keras layout); the zero blocks' are dropped.

    With ``reset_after=False`` ``U_h``'s gradient is not here: the step adds it.
    """
    h = grads["recurrent_kernel"].shape[0]
    grads["kernel"] += dW[:, :3 * h]
    grads["recurrent_kernel"][:, :2 * h] += dU[:, :2 * h]
    if not reset_after:
        grads["bias"] += db
        return
    grads["recurrent_kernel"][:, 2 * h:] += dU[:, 3 * h:]
    grads["bias"][0] += db[:3 * h]
    grads["bias"][1, :2 * h] += db[:2 * h]
    grads["bias"][1, 2 * h:] += db[3 * h:]
