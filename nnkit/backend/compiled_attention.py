"""Multi-head scaled dot-product attention through the compiled kernel
(``kernels/attention_typed.h``).

NumPy computes attention in whole-array passes over the ``N·heads·T·S`` scores
(the product, the mask, the row maximum, ``exp``, the row sums, the next
product), each on one thread and each reading the scores from memory again.
The kernel runs every (batch, head) pair on one of the threads, a block of query
rows at a time, so a block goes from its product through its softmax into the
next product while it is in cache, and only the weights backward needs are
written out.

Head tensors are 4-D views ``(N, heads, steps, width)`` whose last axis is
contiguous (the projections' ``(N, steps, heads, width)`` layout read as heads,
no copy); other arrays are C-contiguous.
"""
import ctypes

import numpy

from nnkit.backend.kernels import address, optional_address, typed_functions

class CompiledAttention:
    """Kernels ``attention`` and ``attention_backward`` (each returns None, having done
    nothing, for operands it does not take: ``Backend``'s kernel convention)."""

    def __init__(self, library):
        size, pointer = ctypes.c_int64, ctypes.c_void_p
        self._forward = typed_functions(library, "attention_forward",
                                        [size] * 6 + [pointer] * 7 + [size] + [pointer] * 4,
                                        ctypes.c_int)
        self._backward = typed_functions(library, "attention_backward",
                                         [size] * 6 + [pointer] * 17, ctypes.c_int)

    def forward(self, query, key, value, mask, keep, weights, out):
        """``out = (softmax_mask(query · keyᵀ) ⊙ keep) · value`` per (batch, head); returns
        ``out``.

        Args:
            query: ``(N, heads, T, K)``, already scaled. key: ``(N, heads, S, K)``.
            value: ``(N, heads, S, Kv)``. out: ``(N, heads, T, Kv)``, written.
            mask: None or boolean ``(N or 1, T, S)``, True = may attend (a hidden entry
                gets weight 0, a row with none visible all 0).
            keep: None or the dropout multipliers ``(N, heads, T, S)``.
            weights: None, or ``(N, heads, T, S)`` to receive the softmax weights.
        """
        function = self._forward.get(query.dtype)
        n, heads, t, k = query.shape
        s, kv = value.shape[2], value.shape[3]
        grid = (n, heads, t, s)
        if (function is None or not _heads_ok(query, (n, heads, t, k), query.dtype)
                or not _heads_ok(key, (n, heads, s, k), query.dtype)
                or not _heads_ok(value, (n, heads, s, kv), query.dtype)
                or not _heads_ok(out, (n, heads, t, kv), query.dtype)
                or not _plain_ok(keep, grid, query.dtype)
                or not _plain_ok(weights, grid, query.dtype)):
            return None
        mask_bytes, mask_stride = _mask_bytes(mask, n, t, s)
        if mask is not None and mask_bytes is None:
            return None
        status = function(n, heads, t, s, k, kv, address(query), _strides(query), address(key),
                          _strides(key), address(value), _strides(value),
                          optional_address(mask_bytes), mask_stride, optional_address(keep),
                          optional_address(weights), address(out), _strides(out))
        _check(status)
        return out

    def backward(self, query, key, value, keep, weights, d_out, d_extra, d_query, d_key,
                 d_value):
        """Write ``d_query``, ``d_key``, ``d_value`` (head tensors shaped like the inputs) from
        the forward's ``weights``, ``keep`` and ``d_out (N, heads, T, Kv)``; ``d_extra`` is
        ``dL/dweights`` from returned scores, or None. Returns ``d_query``.

        ``d_query`` is the gradient of the scaled query the forward was given.
        """
        function = self._backward.get(query.dtype)
        n, heads, t, k = query.shape
        s, kv = value.shape[2], value.shape[3]
        grid = (n, heads, t, s)
        dtype = query.dtype
        if (function is None or weights is None
                or not all(_heads_ok(array, shape, dtype) for array, shape in (
                    (query, (n, heads, t, k)), (key, (n, heads, s, k)),
                    (value, (n, heads, s, kv)), (d_out, (n, heads, t, kv)),
                    (d_query, (n, heads, t, k)), (d_key, (n, heads, s, k)),
                    (d_value, (n, heads, s, kv))))
                or not all(_plain_ok(array, grid, dtype) for array in (keep, weights, d_extra))):
            return None
        status = function(n, heads, t, s, k, kv, address(query), _strides(query), address(key),
                          _strides(key), address(value), _strides(value), optional_address(keep),
                          address(weights), optional_address(d_extra), address(d_out),
                          _strides(d_out),
                          address(d_query), _strides(d_query), address(d_key), _strides(d_key),
                          address(d_value), _strides(d_value))
        _check(status)
        return d_query


def _heads_ok(array, shape, dtype):
    """Whether ``array`` is a ``shape`` head tensor the kernel reads: ``dtype``, a contiguous
    last axis, other strides non-negative multiples of the item size."""
    return (isinstance(array, numpy.ndarray) and array.dtype == dtype
            and array.shape == shape and array.strides[3] == array.itemsize
            and all(stride >= 0 and stride % array.itemsize == 0 for stride in array.strides))


def _plain_ok(array, shape, dtype):
    """Whether ``array`` is None or a C-contiguous ``shape`` array of ``dtype``."""
    return array is None or (isinstance(array, numpy.ndarray) and array.dtype == dtype
                             and array.shape == shape and array.flags.c_contiguous)


def _mask_bytes(mask, n, t, s):
    """``(mask as C-contiguous bytes (N or 1, T, S), its batch stride in bytes)`` for a mask
    that broadcasts to ``(N, T, S)`` (``(N, T, 1)``, ``(1, T, S)``, ...); ``(None, 0)`` else."""
    if mask is None or mask.ndim != 3 or mask.shape[0] not in (1, n) \
            or mask.shape[1] not in (1, t) or mask.shape[2] not in (1, s):
        return None, 0
    leading = mask.shape[0]
    mask = numpy.broadcast_to(numpy.asarray(mask, dtype=bool), (leading, t, s))
    return numpy.ascontiguousarray(mask).view(numpy.uint8), (t * s if leading > 1 else 0)


def _strides(array):
    """The (batch, head, step) strides of a head tensor, in elements, as a ctypes array."""
    return (ctypes.c_int64 * 3)(*(stride // array.itemsize for stride in array.strides[:3]))


def _check(status):
    if status != 0:
        raise MemoryError("compiled attention: out of memory for its per-thread scratch")
