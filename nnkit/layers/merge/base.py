"""The base of merge layers: a layer called on a list of tensors."""
from nnkit.errors import InvalidArgumentError, ShapeError, describe
from nnkit.layers.base import Layer


class Merge(Layer):
    """Shared input handling of merge layers (Add, Concatenate, Dot, ...).

    ``x`` is a list of arrays; each is converted and checked like any layer
    input, and ``mask`` is a list with one entry (or None) per input. A
    subclass gives ``merge(xs)``, ``merge_backward(dy) -> [dx, ...]`` and its
    shape rule ``merged_shape(shapes)``.

    Class attributes: ``min_inputs``/``max_inputs``.
    """

    supports_masking = True
    fixed_input_axes = ()
    min_inputs, max_inputs = 2, None

    def _check_count(self, count):
        if count < self.min_inputs or (self.max_inputs is not None and count > self.max_inputs):
            expected = (f"exactly {self.min_inputs}" if self.min_inputs == self.max_inputs
                        else f"at least {self.min_inputs}")
            raise InvalidArgumentError(f"layer '{self.name}' ({type(self).__name__}): expected "
                                       f"{expected} inputs, received {count}")

    def build(self, input_shape):
        shapes = [tuple(shape) for shape in input_shape]
        self._check_count(len(shapes))
        self.merged_shape(shapes)
        super().build(shapes)

    def example_output_shape(self, input_shape):
        return self.merged_shape([tuple(shape) for shape in input_shape])

    def apply(self, x, training=False, mask=None, **kwargs):
        if not isinstance(x, (list, tuple)):
            raise InvalidArgumentError(f"layer '{self.name}' ({type(self).__name__}): expected a "
                                       f"list of inputs, received {type(x).__name__}")
        self._check_count(len(x))
        xs = [self._convert_dense(value) for value in x]
        for value in xs:
            if len(value.shape) < 2 or 0 in tuple(value.shape):
                raise ShapeError(f"layer '{self.name}' ({type(self).__name__}): expected "
                                 f"non-empty inputs of rank >= 2 (batch first), received "
                                 f"{describe(value)}")
        masks = [None] * len(xs) if mask is None else list(mask)
        masks = [self.check_mask(value, m) for value, m in zip(xs, masks)]
        self.merged_shape([tuple(value.shape[1:]) for value in xs])
        if len({int(value.shape[0]) for value in xs}) > 1:
            raise ShapeError(f"layer '{self.name}' ({type(self).__name__}): inputs have different "
                             f"batch sizes {[int(v.shape[0]) for v in xs]}")
        self.built = True
        y = self.merge(xs)
        if not training:
            self._cache = None
        return y, self.compute_mask(xs, masks)

    def mismatch(self, shapes, rule):
        """The ShapeError for ``shapes`` that break ``rule`` (names the layer and every shape)."""
        listed = ", ".join(str((None,) + tuple(shape)) for shape in shapes)
        return ShapeError(f"layer '{self.name}' ({type(self).__name__}): {rule}; received input "
                          f"shapes {listed}")

    def forward(self, x, training=False, mask=None):
        return self.apply(x, training=training, mask=mask)[0]

    def backward(self, dy):
        dxs = self.merge_backward(dy)
        self._cache = None
        return dxs

    def compute_mask(self, x, mask):
        """Element-wise merges: a step is valid where every masked input is valid (Keras)."""
        masks = [m for m in (mask or []) if m is not None]
        if not masks:
            return None
        combined = masks[0]
        for m in masks[1:]:
            combined = combined & m
        return combined

    def merge(self, xs):
        raise NotImplementedError

    def merge_backward(self, dy):
        raise NotImplementedError

    def merged_shape(self, shapes):
        raise NotImplementedError
