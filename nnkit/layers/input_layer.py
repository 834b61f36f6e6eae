"""Input: the entry point of a graph model."""
import warnings

from nnkit import config, validation
from nnkit.errors import InvalidArgumentError
from nnkit.layers.symbolic import Node, SymbolicTensor
from nnkit.layers.base import Layer
from nnkit.registry import register_layer


@register_layer
class InputLayer(Layer):
    """The layer behind ``nnkit.Input``: it has no weights and passes its batch through.

    Args (Keras 3's):
        shape: shape of one example (None for a variable length).
        batch_size: a fixed batch size (None: any).
        dtype: "float32"/"float64" (default floatx) or an integer type for token ids.
        sparse: the input is a SciPy CSR matrix ``(N, D)``.
        batch_shape: ``(batch_size, *shape)`` instead of the two (also Keras 2's
            ``batch_input_shape``); Keras 2's ``input_shape`` is ``shape``, with a warning.
    """

    fixed_input_axes = ()

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None,
                 name=None, **kwargs):
        if "input_shape" in kwargs:
            warnings.warn("Argument `input_shape` is deprecated. Use `shape` instead.",
                          stacklevel=2)
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        for option in ("ragged", "input_tensor", "optional"):
            if kwargs.get(option) not in (None, False):
                raise InvalidArgumentError(f"InputLayer: nnkit does not support {option}="
                                           f"{kwargs[option]!r}")
            kwargs.pop(option, None)
        super().__init__(name=name, **kwargs)
        if shape is not None and batch_shape is not None:
            raise InvalidArgumentError(f"{self.where}: give shape or batch_shape, not "
                                       f"both (received {shape!r} and {batch_shape!r})")
        if batch_size is not None and batch_shape is not None:
            raise InvalidArgumentError(f"{self.where}: give batch_size or batch_shape, "
                                       f"not both")
        if shape is None and batch_shape is None:
            raise InvalidArgumentError(f"{self.where}: a shape is required, e.g. "
                                       f"shape=(100,)")
        if batch_shape is not None:
            batch_shape = validation.shape(self.where, "batch_shape", batch_shape)
            if not batch_shape:
                raise InvalidArgumentError(f"{self.where}: batch_shape must start with the "
                                           f"batch size (None for any), received ()")
            batch_size, shape = batch_shape[0], batch_shape[1:]
        self.shape = validation.shape(self.where, "shape", shape)
        self.batch_size = validation.positive_int(self.where, "batch_size", batch_size,
                                                  allow_none=True)
        self.input_dtype = str(dtype or config.floatx())
        self.sparse = bool(validation.flag(self.where, "sparse", sparse, allow_none=True))
        self.built = True
        self.build_input_shape = self.shape
        node = Node(self, [], {}, False)
        node.outputs = [SymbolicTensor(self.shape, self.input_dtype, False, node, 0, self.sparse)]
        self.inbound_nodes.append(node)

    @property
    def batch_shape(self):
        """``(batch_size, *shape)`` (batch_size None when any)."""
        return (self.batch_size,) + self.shape

    def forward(self, x, training=False, mask=None):
        return x

    def backward(self, dy):
        return dy

    def get_config(self):
        return {"name": self.name, "shape": list(self.shape), "batch_size": self.batch_size,
                "dtype": self.input_dtype, "sparse": self.sparse}


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None,  # noqa: N802
          name=None, **kwargs):
    """A symbolic tensor for a model input (Keras's ``keras.Input``).

    Args:
        shape: shape of one example, without the batch axis, e.g. ``(100,)`` or
            ``(None,)`` for padded token ids of any length.
        batch_size: a fixed batch size (None: any); ``batch_shape`` gives both at once.
        dtype: "int32"/"int64" for token ids, else floats (default floatx).
        sparse: the model will be fed SciPy CSR matrices ``(N, D)``.
        name: the input's name, used as the key of an ``x`` dict.

    Example:
        >>> ids = nnkit.Input((None,), dtype="int32", name="tokens")
        >>> features = nnkit.Input((8,), name="features")
    """
    layer = InputLayer(shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                       batch_shape=batch_shape, name=name, **kwargs)
    return layer.inbound_nodes[0].outputs[0]
