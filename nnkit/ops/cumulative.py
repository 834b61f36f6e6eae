"""``cumsum``: running sums along an axis; the gradient is the reverse running sum of ``dy``."""
from nnkit.ops.op import OPS, Op, normalize_axis

__all__ = ["cumsum"]


@OPS.register
class Cumsum(Op):
    """``y_i = Σ_{j≤i} x_j`` along ``axis`` (None: the flattened array); ``dx_j = Σ_{i≥j} dy_i``
    (the reverse cumulative sum)."""

    name = "cumsum"

    def __init__(self, axis=None, dtype=None):
        self.axis, self.dtype = axis, dtype

    def get_config(self):
        return {"axis": self.axis, "dtype": self.dtype}

    def forward(self, xp, x):
        axis = normalize_axis(self.axis, x.ndim, self.name)
        dtype = self.dtype or ("int32" if x.dtype == bool else x.dtype)
        rows = x.reshape(-1) if axis is None else x
        return xp.cumsum(rows, axis=0 if axis is None else axis, dtype=dtype), (x.shape, axis)

    def backward(self, xp, cache, dy):
        x_shape, axis = cache
        axis = 0 if axis is None else axis
        reverse = (slice(None),) * axis + (slice(None, None, -1),)
        return (xp.cumsum(dy[reverse], axis=axis)[reverse].reshape(x_shape),)


def cumsum(x, axis=None, dtype=None):
    """The cumulative sum of ``x`` along ``axis`` (None: of the flattened array)."""
    return Cumsum(axis, dtype)(x)
