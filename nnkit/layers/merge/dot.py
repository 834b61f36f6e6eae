"""Dot: a batched dot product of two tensors."""
from nnkit import validation
from nnkit.errors import InvalidArgumentError
from nnkit.layers.merge.base import Merge
from nnkit.registry import register_layer

_EPSILON = 1e-12


@register_layer
class Dot(Merge):
    """Keras's ``Dot``: per example, sum ``a ⊙ b`` over ``axes`` (a batched matrix product).

    ``(N, D)·(N, D)`` → ``(N, 1)``; ``(N, T, D)·(N, S, D)`` with ``axes=2`` →
    ``(N, T, S)``; ``axes=1`` on ``(N, T, D)·(N, T, E)`` → ``(N, D, E)``.
    ``normalize=True`` first scales each input to unit L2 norm along its axis
    (cosine similarity). A mask is refused (Keras drops it silently).

    Args:
        axes: one axis for both inputs, or a pair ``(axis_a, axis_b)`` (batch excluded).
        normalize: L2-normalise along the axes first.

    Shapes:
        x: ``[a, b]``, each ``(N, D)`` or ``(N, T, D)``.
    """

    supports_masking = False
    min_inputs = max_inputs = 2

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        pair = validation.integers(self.where, "axes", axes, 2, low=None)
        if 0 in pair:
            raise InvalidArgumentError(f"{self.where}: axes must be a non-batch axis or a pair "
                                       f"of them, received {axes!r}")
        self.axes = list(pair) if isinstance(axes, (list, tuple)) else pair[0]
        self._pair = pair
        self.normalize = validation.flag(self.where, "normalize", normalize)

    def _axes(self, shapes):
        """Both reduced axes as positive axes of the full arrays (batch = 0)."""
        result = []
        for axis, shape in zip(self._pair, shapes):
            rank = len(shape) + 1
            if not -rank < axis < rank or axis % rank == 0 or rank not in (2, 3):
                raise self.mismatch(shapes, f"axes {self.axes} must be non-batch axes of inputs "
                                            f"of rank 2 or 3")
            result.append(axis % rank)
        return result

    def merged_shape(self, shapes):
        a_axis, b_axis = self._axes(shapes)
        if shapes[0][a_axis - 1] != shapes[1][b_axis - 1]:
            raise self.mismatch(shapes, f"sizes along axes {self.axes} must be equal")
        kept = [s for i, s in enumerate(shapes[0]) if i != a_axis - 1] + \
               [s for i, s in enumerate(shapes[1]) if i != b_axis - 1]
        return tuple(kept) if kept else (1,)

    def _normalized(self, x, axis):
        norm = self.xp.sqrt(self.xp.maximum((x * x).sum(axis=axis, keepdims=True), _EPSILON))
        return x / norm, norm

    def merge(self, xs):
        xp = self.xp
        a_axis, b_axis = self._axes([x.shape[1:] for x in xs])
        a, b = xs
        norms = None
        if self.normalize:
            (a, a_norm), (b, b_norm) = self._normalized(a, a_axis), self._normalized(b, b_axis)
            norms = (a_norm, b_norm)
        # move the reduced axis last in a, first (after batch) in b: y = a' @ b'
        a_m = xp.moveaxis(a, a_axis, -1).reshape(a.shape[0], -1, a.shape[a_axis])
        b_m = xp.moveaxis(b, b_axis, 1).reshape(b.shape[0], b.shape[b_axis], -1)
        y = a_m @ b_m                                            # (N, P, Q)
        self._cache = (a, b, a_m, b_m, a_axis, b_axis, norms)
        return y.reshape((y.shape[0],) + self.merged_shape([a.shape[1:], b.shape[1:]]))

    def merge_backward(self, dy):
        xp = self.xp
        a, b, a_m, b_m, a_axis, b_axis, norms = self._cache
        dy = dy.reshape(a_m.shape[0], a_m.shape[1], b_m.shape[2])
        da_m = dy @ xp.swapaxes(b_m, 1, 2)
        db_m = xp.swapaxes(a_m, 1, 2) @ dy
        moved_a = list(xp.moveaxis(a, a_axis, -1).shape)
        moved_b = list(xp.moveaxis(b, b_axis, 1).shape)
        da = xp.moveaxis(da_m.reshape(moved_a), -1, a_axis)
        db = xp.moveaxis(db_m.reshape(moved_b), 1, b_axis)
        if self.normalize:       # u = x/|x|: dx = (du − u·Σ du⊙u) / |x|
            a_norm, b_norm = norms
            da = (da - a * (da * a).sum(axis=a_axis, keepdims=True)) / a_norm
            db = (db - b * (db * b).sum(axis=b_axis, keepdims=True)) / b_norm
        return [da, db]

    def get_config(self):
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}
