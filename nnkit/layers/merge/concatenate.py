"""Concatenate: join tensors along one axis."""
from nnkit.errors import InvalidArgumentError
from nnkit.layers.merge.base import Merge
from nnkit.registry import register_layer


@register_layer
class Concatenate(Merge):
    """Keras's ``Concatenate``: ``y = [x₁, x₂, …]`` along ``axis`` (sizes equal elsewhere).

    Masks (Keras's rule): an input without a mask counts as all valid. Joined
    along the feature axis, a step is valid where any input is valid there (an
    unmasked input makes every step valid); joined along time (axis 1), the
    masks are joined too.

    Args:
        axis: the axis joined (default -1; not the batch axis).

    Shapes:
        x: a list of ``(N, ..., D_i)``; y: ``(N, ..., Σ D_i)``.

    Example:
        >>> Concatenate()([np.ones((2, 3)), np.ones((2, 4))]).shape
        (2, 7)
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, int) or axis == 0:
            raise InvalidArgumentError(f"layer '{self.name}' (Concatenate): axis must be a "
                                       f"non-batch axis, received {axis!r}")
        self.axis = axis
        self.min_inputs = 1

    def _example_axis(self, rank):
        """The joined axis among the example's axes (batch excluded), or None if out of range."""
        axis = self.axis if self.axis < 0 else self.axis - 1
        return axis % rank if -rank <= axis < rank else None

    def merged_shape(self, shapes):
        rank = len(shapes[0])
        axis = self._example_axis(rank)
        if axis is None or any(len(shape) != rank for shape in shapes) or any(
                shape[:axis] + shape[axis + 1:] != shapes[0][:axis] + shapes[0][axis + 1:]
                for shape in shapes):
            raise self.mismatch(shapes, f"inputs must have the same rank and equal sizes except "
                                        f"along axis {self.axis}")
        sizes = [shape[axis] for shape in shapes]
        total = None if any(size is None for size in sizes) else sum(sizes)
        return shapes[0][:axis] + (total,) + shapes[0][axis + 1:]

    def merge(self, xs):
        rank = len(xs[0].shape) - 1
        axis = self._example_axis(rank) + 1
        self._cache = (axis, [x.shape[axis] for x in xs])
        return self.xp.concatenate(xs, axis=axis)

    def merge_backward(self, dy):
        axis, sizes = self._cache
        grads, start = [], 0
        for size in sizes:
            index = [slice(None)] * dy.ndim
            index[axis] = slice(start, start + size)
            grads.append(dy[tuple(index)])
            start += size
        return grads

    def compute_mask(self, x, mask):
        if mask is None or all(m is None for m in mask):
            return None
        xp = self.xp
        full = [xp.ones(tuple(value.shape[:2]), bool) if m is None else m
                for value, m in zip(x, mask)]
        if self._example_axis(len(x[0].shape) - 1) == 0:     # joined along time
            return xp.concatenate(full, axis=1)
        combined = full[0]
        for m in full[1:]:
            combined = combined | m
        return combined

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
