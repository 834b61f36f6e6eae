"""Element-wise merges of same-shape tensors: Add, Subtract, Multiply, Average, Maximum, Minimum."""
from nnkit.layers.merge.base import Merge
from nnkit.registry import register_layer


class _Elementwise(Merge):
    """Inputs of one shape (no broadcasting), merged entry by entry.

    Shapes:
        x: a list of ``(N, ...)`` arrays of the same shape; y: that shape.
        Masks: a step is valid where every masked input is valid.
    """

    def merged_shape(self, shapes):
        if any(shape != shapes[0] for shape in shapes):
            raise self.mismatch(shapes, "inputs must have the same shape")
        return shapes[0]


@register_layer
class Add(_Elementwise):
    """``y = x₁ + x₂ + …``; each input's gradient is ``dy``."""

    def merge(self, xs):
        self._cache = len(xs)
        y = xs[0] + xs[1]
        for x in xs[2:]:
            y += x
        return y

    def merge_backward(self, dy):
        return [dy] * self._cache


@register_layer
class Subtract(_Elementwise):
    """``y = x₁ − x₂`` (exactly two inputs)."""

    max_inputs = 2

    def merge(self, xs):
        return xs[0] - xs[1]

    def merge_backward(self, dy):
        return [dy, -dy]


@register_layer
class Average(_Elementwise):
    """``y = (x₁ + … + x_k) / k``."""

    def merge(self, xs):
        self._cache = len(xs)
        y = xs[0] + xs[1]
        for x in xs[2:]:
            y += x
        return y / len(xs)

    def merge_backward(self, dy):
        share = dy / self._cache
        return [share] * self._cache


@register_layer
class Multiply(_Elementwise):
    """``y = x₁ ⊙ x₂ ⊙ …``; ``dx_i = dy ⊙ Π_{j≠i} x_j``."""

    def merge(self, xs):
        self._cache = xs
        y = xs[0] * xs[1]
        for x in xs[2:]:
            y = y * x
        return y

    def merge_backward(self, dy):
        xs = self._cache
        grads = []
        for i in range(len(xs)):
            g = dy
            for j, x in enumerate(xs):
                if j != i:
                    g = g * x
            grads.append(g)
        return grads


class _Extremum(_Elementwise):
    """The entry-wise extremum; the gradient goes to the first input holding it."""

    def merge(self, xs):
        xp = self.xp
        stacked = xp.stack(xs)                           # (k, N, ...)
        winner = self.pick(stacked)
        self._cache = (winner, len(xs))
        return xp.take_along_axis(stacked, winner[None], axis=0)[0]

    def merge_backward(self, dy):
        winner, count = self._cache
        return [dy * (winner == i) for i in range(count)]


@register_layer
class Maximum(_Extremum):
    """``y = max(x₁, x₂, …)`` entry-wise."""

    def pick(self, stacked):
        return stacked.argmax(axis=0)


@register_layer
class Minimum(_Extremum):
    """``y = min(x₁, x₂, …)`` entry-wise."""

    def pick(self, stacked):
        return stacked.argmin(axis=0)
