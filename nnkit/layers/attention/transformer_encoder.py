"""TransformerEncoder: keras_hub's encoder block, composed of nnkit's own layers.

Post-norm (default, Vaswani et al.)::

    h = LN1(x + dropout(MHA(x, x)))
    y = LN2(h + dropout(W2 · act(W1 · h)))

Pre-norm (``normalize_first``)::

    h = x + dropout(MHA(LN1(x), LN1(x)))
    y = h + dropout(W2 · act(W1 · LN2(h)))

The children are a ``MultiHeadAttention`` (``key_dim = D // num_heads``, dropout on
its weights), two ``LayerNormalization`` s, two ``Dense`` s and two ``Dropout`` s;
forward runs theirs, backward runs their hand-written backwards in reverse,
adding the residual branch's gradient at each ``+``. The input's mask (N, T) is
the attention's query and value mask (as Keras passes the tensor's mask to
keras_hub's attention), and passes on unchanged.

Shapes:
    x, y ``(N, T, D)``; mask ``(N, T)``. Weights in keras_hub's order:
    ``self_attention_layer/{query,key,value,attention_output}_{kernel,bias}``,
    ``self_attention_layer_norm/{gamma,beta}``, ``feedforward_layer_norm/{gamma,beta}``,
    ``feedforward_intermediate_dense/{kernel (D, I), bias}``,
    ``feedforward_output_dense/{kernel (I, D), bias}``.

Differs from keras_hub: the ``padding_mask``, ``attention_mask`` and
``return_attention_scores`` call arguments are not taken (the mask comes from the
input); a fully padded query step attends to nothing (nnkit's MultiHeadAttention),
where Keras's fused attention path averages the values: only padded steps differ.

Example:
    >>> TransformerEncoder(intermediate_dim=16, num_heads=2)(np.ones((3, 5, 8))).shape
    (3, 5, 8)
"""
from nnkit import activations, initializers, validation
from nnkit.errors import InvalidArgumentError
from nnkit.layers.attention.composite import Composite
from nnkit.layers.attention.multi_head_attention import MultiHeadAttention
from nnkit.layers.dense import Dense
from nnkit.layers.dropout import Dropout
from nnkit.layers.normalization.layer_normalization import LayerNormalization
from nnkit.registry import register_layer


@register_layer
class TransformerEncoder(Composite):
    """keras_hub's Transformer encoder block (see the module docstring).

    Args:
        intermediate_dim: I, the feed-forward width. num_heads: attention heads.
        dropout: rate of every dropout (attention weights, both residual branches).
        activation: of the first feed-forward Dense (default "relu").
        layer_norm_epsilon: both LayerNormalizations' epsilon (default 1e-5).
        kernel_initializer, bias_initializer: of the attention and both Dense layers.
        normalize_first: pre-norm instead of post-norm.
    """

    supports_masking = True
    input_ranks = (3,)
    #: where Keras's ``.keras`` archives keep each child's weights (its attribute names)
    keras_child_groups = {role: f"_{role}" for role in (
        "self_attention_layer", "self_attention_layer_norm", "self_attention_dropout",
        "feedforward_layer_norm", "feedforward_intermediate_dense", "feedforward_output_dense",
        "feedforward_dropout")}

    def __init__(self, intermediate_dim, num_heads, dropout=0, activation="relu",
                 layer_norm_epsilon=1e-5, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", normalize_first=False, **kwargs):
        super().__init__(**kwargs)
        self.intermediate_dim = validation.positive_int(self.where, "intermediate_dim",
                                                        intermediate_dim)
        self.num_heads = validation.positive_int(self.where, "num_heads", num_heads)
        self.dropout = validation.rate(self.where, "dropout", dropout)
        self.activation = activations.get(activation).name
        self.layer_norm_epsilon = validation.non_negative(self.where, "layer_norm_epsilon",
                                                          layer_norm_epsilon)
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.normalize_first = validation.flag(self.where, "normalize_first", normalize_first)

    def build(self, input_shape):
        width = input_shape[-1]
        if width < self.num_heads:
            raise InvalidArgumentError(
                f"{self.where}: the input width {width} must be at least num_heads "
                f"{self.num_heads} (key_dim = width // num_heads)")
        init = {"kernel_initializer": self.kernel_initializer,
                "bias_initializer": self.bias_initializer}
        norm = {"epsilon": self.layer_norm_epsilon}
        self.set_children({   # keras_hub's weight order
            "self_attention_layer": MultiHeadAttention(
                self.num_heads, width // self.num_heads, dropout=self.dropout,
                name="self_attention_layer", **init),
            "self_attention_layer_norm": LayerNormalization(name="self_attention_layer_norm",
                                                            **norm),
            "self_attention_dropout": Dropout(self.dropout, name="self_attention_dropout"),
            "feedforward_layer_norm": LayerNormalization(name="feedforward_layer_norm", **norm),
            "feedforward_intermediate_dense": Dense(
                self.intermediate_dim, self.activation, name="feedforward_intermediate_dense",
                **init),
            "feedforward_output_dense": Dense(width, name="feedforward_output_dense", **init),
            "feedforward_dropout": Dropout(self.dropout, name="feedforward_dropout")})
        shape = tuple(input_shape)
        for role, child in self.children().items():
            if role == "self_attention_layer":
                child.build([shape, shape])
            elif role == "feedforward_output_dense":
                child.build(shape[:-1] + (self.intermediate_dim,))
            else:
                child.build(shape)
        self.expose_child_params()
        super().build(input_shape)

    def forward(self, x, training=False, mask=None):
        c = self.children()
        first = self.normalize_first
        h = c["self_attention_layer_norm"].forward(x, training) if first else x
        masks = None if mask is None else [mask, mask]
        h = c["self_attention_layer"].forward([h, h], training, masks)
        h = x + c["self_attention_dropout"].forward(h, training)
        if not first:
            h = c["self_attention_layer_norm"].forward(h, training)
        f = c["feedforward_layer_norm"].forward(h, training) if first else h
        f = c["feedforward_intermediate_dense"].forward(f, training)
        f = c["feedforward_output_dense"].forward(f, training)
        y = h + c["feedforward_dropout"].forward(f, training)
        return y if first else c["feedforward_layer_norm"].forward(y, training)

    def backward(self, dy):
        """The children's backwards in reverse; each ``+`` adds its residual gradient."""
        c = self.children()
        first = self.normalize_first
        dh = dy if first else c["feedforward_layer_norm"].backward(dy)
        df = c["feedforward_dropout"].backward(dh)
        df = c["feedforward_output_dense"].backward(df)
        df = c["feedforward_intermediate_dense"].backward(df)
        dh = dh + (c["feedforward_layer_norm"].backward(df) if first else df)
        if not first:
            dh = c["self_attention_layer_norm"].backward(dh)
        da = c["self_attention_dropout"].backward(dh)
        d_query, d_value = c["self_attention_layer"].backward(da)
        da = d_query + d_value
        return dh + (c["self_attention_layer_norm"].backward(da) if first else da)

    def get_config(self):
        return {**super().get_config(), "intermediate_dim": self.intermediate_dim,
                "num_heads": self.num_heads, "dropout": self.dropout,
                "activation": self.activation, "layer_norm_epsilon": self.layer_norm_epsilon,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "normalize_first": self.normalize_first}
