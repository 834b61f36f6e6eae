"""Conv1D and Conv2D: channels-last convolutions as one GEMM over gathered windows (im2col)."""
from nnkit import activations, initializers, validation
from nnkit.layers.base import Layer
from nnkit.layers.convolution import windows
from nnkit.layers.data_format import ChannelsFirst
from nnkit.registry import register_layer


class _Conv(Layer):
    """Shared forward/backward of the convolutions, on the 2-D view ``(N, H, W, C)``.

    ``y = activation(windows(x) · kernel + bias)``: the padded input's windows
    ``(N·Ho·Wo, kh·kw·C)`` and a column of ones, times the kernel viewed as
    ``(kh·kw·C, F)`` with the bias as its last row: one GEMM gives the biased
    output (NumPy's BLAS: at these shapes it beats nnkit's compiled product).
    Backward: ``[dW; db] = windowsᵀ · dz`` in one GEMM, and ``dz · kernelᵀ``
    scattered back onto the input taps (``windows.scatter_windows``).
    A subclass gives its rank and maps its input to and from the 2-D view.
    """

    fixed_input_axes = (-1,)
    paddings = windows.PADDINGS_2D
    regularizable = ("kernel", "bias")

    def __init__(self, rank, filters, kernel_size, strides, padding, dilation_rate, activation,
                 use_bias, kernel_initializer, bias_initializer, **kwargs):
        super().__init__(**kwargs)
        self.filters = validation.positive_int(self.where, "filters", filters)
        self.kernel_size = validation.integers(self.where, "kernel_size", kernel_size, rank)
        self.strides = validation.integers(self.where, "strides", strides, rank)
        self.dilation_rate = validation.integers(self.where, "dilation_rate", dilation_rate,
                                                 rank)
        self.padding = windows.check_padding(self.where, padding, self.paddings)
        self.activation = activations.get(activation)
        self.use_bias = validation.flag(self.where, "use_bias", use_bias)
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer

    # ---- the 2-D view a subclass maps to --------------------------------
    def to_2d(self, x):
        return x

    def from_2d(self, y):
        return y

    def to_2d_shape(self, spatial):
        return tuple(spatial)

    def from_2d_shape(self, spatial):
        return tuple(spatial)

    def _view_args(self):
        """``(kernel, strides, dilation)`` of the 2-D view."""
        return self.kernel_size, self.strides, self.dilation_rate

    def build(self, input_shape):
        self.add_weight("kernel", self.kernel_size + (input_shape[-1], self.filters),
                        self.kernel_initializer)
        if self.use_bias:
            self.add_weight("bias", (self.filters,), self.bias_initializer)
        super().build(input_shape)

    def _geometry(self, spatial):
        kernel, strides, dilation = self._view_args()
        return windows.padded_geometry(self.name, spatial, kernel, strides, dilation,
                                       self.padding)

    def example_output_shape(self, input_shape):
        spatial = self.to_2d_shape(tuple(input_shape[:-1]))
        out = tuple(size for _, _, size in self._geometry(spatial))
        return self.from_2d_shape(out) + (self.filters,)

    def _kernel_matrix(self):
        """The kernel as ``(kh·kw·C, F)``, with the bias as a last row when there is one."""
        kernel = self.params["kernel"].reshape(-1, self.filters)
        if not self.use_bias:
            return kernel
        return self.xp.concatenate([kernel, self.params["bias"][None, :]], axis=0)

    def forward(self, x, training=False, mask=None):
        xp = self.xp
        x2 = self.to_2d(x)
        geometry = self._geometry(x2.shape[1:3])
        kernel, strides, dilation = self._view_args()
        padded = windows.pad(xp, x2, geometry)
        out_shape = tuple(size for _, _, size in geometry)
        cols = windows.window_matrix(xp, padded, kernel, strides, dilation, out_shape,
                                     self.use_bias)
        z = (cols @ self._kernel_matrix()).reshape((x2.shape[0],) + out_shape + (self.filters,))
        y = self.activation.forward(xp, z)
        if training:
            self._cache = (cols, z, y, padded.shape, geometry)
        return self.from_2d(y)

    def backward(self, dy):
        cols, z, y, padded_shape, geometry = self._cache
        self._cache = None
        xp = self.xp
        dz = self.activation.backward(xp, self.to_2d(dy), z, y)
        dz_rows = dz.reshape(-1, self.filters)
        d_weights = cols.T @ dz_rows                      # [dW; db] with the ones column
        taps_rows = self.grads["kernel"].size // self.filters
        self.grads["kernel"] += d_weights[:taps_rows].reshape(self.grads["kernel"].shape)
        if self.use_bias:
            self.grads["bias"] += d_weights[taps_rows]
        if not self.needs_input_grad:
            return None
        kernel, strides, dilation = self._view_args()
        kernel_matrix = self.params["kernel"].reshape(-1, self.filters)
        d_cols = (dz_rows @ kernel_matrix.T).reshape(dz.shape[:3] + (kernel[0] * kernel[1], -1))
        d_padded = windows.scatter_windows(xp, d_cols, padded_shape, kernel, strides, dilation)
        return self.from_2d(windows.crop(d_padded, geometry))

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": list(self.kernel_size), "strides": list(self.strides),
                "padding": self.padding, "dilation_rate": list(self.dilation_rate),
                "activation": self.activation.name, "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer)}


@register_layer
class Conv2D(ChannelsFirst, _Conv):
    """2-D convolution over ``(N, H, W, C)`` (channels last), Keras's ``Conv2D``.

    Args:
        filters: number of output channels F.
        kernel_size: ``kh`` or ``(kh, kw)``.
        strides: ``s`` or ``(sh, sw)``.
        padding: "valid" or "same" (TensorFlow's rule: ``out = ⌈in / s⌉``).
        data_format: "channels_last" ``(N, H, W, C)``, "channels_first"
            ``(N, C, H, W)`` (moved to channels last and back) or None
            (``nnkit.config.image_data_format()``).
        dilation_rate: ``d`` or ``(dh, dw)``.
        activation: element-wise activation name (None: linear).
        use_bias: add a bias per filter.
        kernel_initializer, bias_initializer: initializers (``nnkit.initializers``: a name,
            an Initializer object or a ``(name, kwargs)`` pair).

    Shapes:
        x: ``(N, H, W, C)``; y: ``(N, Ho, Wo, F)`` (channels first: ``(N, C, H, W)``,
        ``(N, F, Ho, Wo)``).
        kernel: ``(kh, kw, C, F)`` (glorot uniform over the receptive field); bias ``(F,)``.

    Example:
        >>> Conv2D(8, 3, padding="same")(np.ones((2, 8, 8, 1))).shape
        (2, 8, 8, 8)
    """

    input_ranks = (4,)

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        super().__init__(2, filters, kernel_size, strides, padding, dilation_rate, activation,
                         use_bias, kernel_initializer, bias_initializer, **kwargs)
        self.set_data_format(data_format)


@register_layer
class Conv1D(ChannelsFirst, _Conv):
    """1-D convolution over time ``(N, T, D)``, Keras's ``Conv1D`` (run as a height-1 Conv2D).

    Args:
        filters: number of output channels F.
        kernel_size: window length k.
        strides: step s between windows.
        padding: "valid", "same" or "causal" (``d·(k − 1)`` zeros before the
            sequence, so output t sees inputs up to t only).
        data_format: "channels_last" ``(N, T, D)``, "channels_first" ``(N, D, T)``
            or None (``nnkit.config.image_data_format()``).
        dilation_rate: spacing d between the taps.
        activation, use_bias, kernel_initializer, bias_initializer: as ``Conv2D``.

    Shapes:
        x: ``(N, T, D)``; y: ``(N, To, F)``; kernel ``(k, D, F)``; bias ``(F,)``.
        A mask is refused (convolutions mix neighbouring steps).

    Example:
        >>> Conv1D(16, 3, activation="relu")(np.ones((2, 10, 4))).shape
        (2, 8, 16)
    """

    input_ranks = (3,)
    paddings = windows.PADDINGS_1D

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        super().__init__(1, filters, kernel_size, strides, padding, dilation_rate, activation,
                         use_bias, kernel_initializer, bias_initializer, **kwargs)
        self.set_data_format(data_format)

    def _view_args(self):
        return ((1,) + self.kernel_size, (1,) + self.strides, (1,) + self.dilation_rate)

    def to_2d(self, x):
        return x[:, None]

    def from_2d(self, y):
        return y[:, 0]

    def to_2d_shape(self, spatial):
        return (1,) + tuple(spatial)

    def from_2d_shape(self, spatial):
        return tuple(spatial[1:])
