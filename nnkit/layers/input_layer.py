"""Input: the entry point of a graph model."""
from nnkit import config
from nnkit.errors import InvalidArgumentError
from nnkit.layers.symbolic import Node, SymbolicTensor
from nnkit.layers.base import Layer
from nnkit.registry import register_layer


@register_layer
class InputLayer(Layer):
    """The layer behind ``nnkit.Input``: it has no weights and passes its batch through.

    Args:
        shape: shape of one example (None for a variable length).
        dtype: "float32"/"float64" (default floatx) or an integer type for token ids.
        sparse: the input is a SciPy CSR matrix ``(N, D)``.
    """

    fixed_input_axes = ()

    def __init__(self, shape, dtype=None, sparse=False, **kwargs):
        super().__init__(**kwargs)
        try:
            self.shape = tuple(None if size is None else int(size) for size in shape)
        except TypeError:
            raise InvalidArgumentError(f"Input '{self.name}': shape must be a tuple of sizes "
                                       f"(None for any length), received {shape!r}") from None
        if any(size is not None and size < 1 for size in self.shape):
            raise InvalidArgumentError(f"Input '{self.name}': sizes must be positive, received "
                                       f"{shape!r}")
        self.input_dtype = str(dtype or config.floatx())
        self.sparse = bool(sparse)
        self.built = True
        self.build_input_shape = self.shape
        node = Node(self, [], {}, False)
        node.outputs = [SymbolicTensor(self.shape, self.input_dtype, False, node, 0, self.sparse)]
        self.inbound_nodes.append(node)

    def forward(self, x, training=False, mask=None):
        return x

    def backward(self, dy):
        return dy

    def get_config(self):
        return {"name": self.name, "shape": list(self.shape), "dtype": self.input_dtype,
                "sparse": self.sparse}


def Input(shape, dtype=None, sparse=False, name=None):  # noqa: N802 (Keras's name)
    """A symbolic tensor for a model input (Keras's ``keras.Input``).

    Args:
        shape: shape of one example, without the batch axis, e.g. ``(100,)`` or
            ``(None,)`` for padded token ids of any length.
        dtype: "int32"/"int64" for token ids, else floats (default floatx).
        sparse: the model will be fed SciPy CSR matrices ``(N, D)``.
        name: the input's name, used as the key of an ``x`` dict.

    Example:
        >>> ids = nnkit.Input((None,), dtype="int32", name="tokens")
        >>> features = nnkit.Input((8,), name="features")
    """
    return InputLayer(shape, dtype=dtype, sparse=sparse, name=name).inbound_nodes[0].outputs[0]
