"""Which Keras classes and arguments nnkit reads and writes (the README's table comes from here).

Each entry maps a Keras layer class to the nnkit class that computes the same
function, and names the Keras arguments the nnkit class does not take: each
with the values it may hold for the layer to compute what Keras computes
(``ANY``: it changes only initialisation, speed or device placement, never the
output of loaded weights). An argument that is neither taken by the nnkit
class nor listed here, or listed with another value, is refused with a
``CheckpointError`` that names the layer, the argument and its value.

An initializer argument the nnkit class takes is read with ``nnkit.initializers``
(Keras's classes and configs); one it does not take (BatchNormalization's
``gamma_initializer``, ...) changes only how fresh weights are drawn, and loaded
weights replace them.
"""
from nnkit.losses.functions import FUNCTION_CLASSES

ANY = object()

_INITIALIZED = ("kernel_initializer", "bias_initializer", "recurrent_initializer",
                "beta_initializer", "gamma_initializer", "moving_mean_initializer",
                "moving_variance_initializer", "embeddings_initializer", "alpha_initializer")

#: arguments every Keras layer may carry (dtype policies: nnkit computes in ``floatx``)
COMMON = {"dtype": ANY, "activity_regularizer": (None,), "autocast": ANY,
          "quantization_config": (None,), "lora_rank": (None,), "lora_alpha": ANY,
          "batch_size": ANY, "input_dim": ANY, "input_length": ANY, "weights": (None,),
          "seed": ANY, **{key: ANY for key in _INITIALIZED}}

_RECURRENT = {"stateful": (False,), "unroll": ANY, "time_major": (False,), "implementation": ANY,
              "use_bias": (True,), "zero_output_for_mask": (False,)}
_CONV = {"groups": (1,)}
_NORMALIZATION = {"beta_regularizer": (None,), "gamma_regularizer": (None,),
                  "beta_constraint": (None,), "gamma_constraint": (None,)}

#: Keras class -> (nnkit class name, Keras-only arguments and the values nnkit honours)
LAYER_CLASSES = {
    "InputLayer": ("InputLayer", {"ragged": (False,), "optional": (False,),
                                  "input_tensor": (None,)}),
    "Dense": ("Dense", {}),
    "Embedding": ("Embedding", {"sparse": (False,)}),
    "SimpleRNN": ("SimpleRNN", _RECURRENT),
    "LSTM": ("LSTM", _RECURRENT),
    "GRU": ("GRU", _RECURRENT),
    "Bidirectional": ("Bidirectional", {"backward_layer": ANY}),
    "TimeDistributed": ("TimeDistributed", {}),
    "Conv1D": ("Conv1D", _CONV),
    "Conv2D": ("Conv2D", _CONV),
    "MaxPooling1D": ("MaxPooling1D", {}),
    "AveragePooling1D": ("AveragePooling1D", {}),
    "MaxPooling2D": ("MaxPooling2D", {}),
    "AveragePooling2D": ("AveragePooling2D", {}),
    "GlobalMaxPooling1D": ("GlobalMaxPooling1D", {"keepdims": (False,)}),
    "GlobalAveragePooling1D": ("GlobalAveragePooling1D", {"keepdims": (False,)}),
    "GlobalMaxPooling2D": ("GlobalMaxPooling2D", {"keepdims": (False,)}),
    "GlobalAveragePooling2D": ("GlobalAveragePooling2D", {"keepdims": (False,)}),
    "BatchNormalization": ("BatchNormalization", {
        **_NORMALIZATION, "synchronized": (False,), "renorm": (False,), "fused": ANY,
        "renorm_clipping": ANY, "renorm_momentum": ANY, "virtual_batch_size": (None,),
        "adjustment": (None,)}),
    "LayerNormalization": ("LayerNormalization", {**_NORMALIZATION, "rms_scaling": (False,)}),
    "Dropout": ("Dropout", {"noise_shape": (None,)}),
    "SpatialDropout1D": ("SpatialDropout1D", {}),
    "Activation": ("Activation", {}),
    "Rescaling": ("Rescaling", {}),
    "ReLU": ("ReLU", {}),
    "LeakyReLU": ("LeakyReLU", {}),
    "ELU": ("ELU", {}),
    "PReLU": ("PReLU", {}),
    "Softmax": ("Softmax", {}),
    "Flatten": ("Flatten", {}),
    "Reshape": ("Reshape", {}),
    "RepeatVector": ("RepeatVector", {}),
    "Permute": ("Permute", {}),
    "Cropping1D": ("Cropping1D", {}),
    "Masking": ("Masking", {}),
    "Concatenate": ("Concatenate", {}),
    "Add": ("Add", {}),
    "Subtract": ("Subtract", {}),
    "Multiply": ("Multiply", {}),
    "Average": ("Average", {}),
    "Maximum": ("Maximum", {}),
    "Minimum": ("Minimum", {}),
    "Dot": ("Dot", {}),
    "MultiHeadAttention": ("MultiHeadAttention", {"sliding_window": (None,), "use_gate": (False,),
                                                  "flash_attention": ANY}),
    "Attention": ("Attention", {}),
    "AdditiveAttention": ("AdditiveAttention", {}),
    # keras_hub's (read only: nnkit writes Keras core classes)
    "PositionEmbedding": ("PositionEmbedding", {}),
    "TokenAndPositionEmbedding": ("TokenAndPositionEmbedding", {}),
    "TransformerEncoder": ("TransformerEncoder", {}),
    # the vocabulary comes from the file's assets (``nnkit.saving.keras_assets``); the
    # OOV hashing options matter only with num_oov_indices > 1, which StringLookup refuses
    "TextVectorization": ("TextVectorization", {}),
    "StringLookup": ("StringLookup", {"oov_method": ANY, "salt": ANY}),
    "IntegerLookup": ("IntegerLookup", {}),
}

#: Keras's cell classes inside ``RNN(cell)``: read as the matching nnkit layer
CELL_CLASSES = {"LSTMCell": "LSTM", "GRUCell": "GRU", "SimpleRNNCell": "SimpleRNN"}

#: keras_hub's classes: read from Keras files, never written (a Keras file names them by
#: keras_hub's module, which nnkit's writer does not produce)
KERAS_HUB_CLASSES = ("PositionEmbedding", "TokenAndPositionEmbedding", "TransformerEncoder")

#: nnkit class -> the Keras class it is written as (the rest of LAYER_CLASSES, reversed)
EXPORTED = {nnkit_name: keras_name for keras_name, (nnkit_name, _) in LAYER_CLASSES.items()
            if keras_name not in KERAS_HUB_CLASSES}
EXPORTED["RNN"] = "SimpleRNN"

#: arguments of nnkit's configs that Keras's class does not take (left out when writing)
NOT_TAKEN_BY_KERAS = {"SpatialDropout1D": ("trainable",)}

#: Keras's mask operations (Keras 3.15 records them as graph nodes); nnkit derives the
#: same masks from the layers' own ``compute_mask``, so these nodes are dropped
MASK_OPERATIONS = ("NotEqual", "Equal", "Any", "All", "LogicalAnd", "LogicalOr", "LogicalNot",
                   "Cast", "ExpandDims", "OnesLike", "Ones", "Concatenate", "Squeeze")

#: layers Keras stores as code; never read (Keras's own safe mode refuses them too)
CODE_LAYERS = ("Lambda", "TFOpLambda", "SlicingOpLambda", "__lambda__")

#: arguments of Keras 3's initializer configs that nnkit's initializers do not take, and
#: the values with which Keras draws as nnkit does (None: fans from the last two axes)
INITIALIZER_KERAS_ONLY = {"input_axes": (None,), "output_axes": (None,)}

#: the loss names Keras 3's ``losses.get`` reads: function and class names, short aliases
#: (nnkit also reads a class's default instance name, such as "huber_loss"; Keras does not)
KERAS_LOSS_NAMES = frozenset(
    [function.__name__ for function in FUNCTION_CLASSES] +
    [cls.__name__ for cls in FUNCTION_CLASSES.values()] +
    [name for short in ("bce", "kld", "mae", "mse", "mape", "msle")
     for name in (short, short.upper())])


def keras_only_arguments(keras_class):
    """``{argument: allowed values or ANY}`` for one Keras class (common ones included)."""
    return {**COMMON, **LAYER_CLASSES[keras_class][1]}


# ---- op nodes (``x + y``, ``ops.mean(x)``, ``x[:, 0]`` in a Keras 3 functional graph) ---------
#: Keras's op classes are nnkit's (``nnkit.ops.OPS``, same names and constructor arguments);
#: these take some of nnkit's op attributes as call arguments instead, after the tensor
KERAS_OP_CALL_ATTRIBUTES = {"GetItem": ("key",), "Pad": ("constant_values",)}

#: Keras ops whose call takes its tensors as one list (``ops.concatenate([x, y])``)
KERAS_OP_LIST_ARGUMENT = ("Concatenate", "Stack")

#: the Keras module of each op class outside ``keras.src.ops.numpy``
KERAS_OP_MODULES = {
    **{name: "keras.src.ops.nn" for name in (
        "BinaryCrossentropy", "CategoricalCrossentropy", "DotProductAttention", "Elu", "Gelu",
        "HardSigmoid", "HardSilu", "LeakyRelu", "LogSigmoid", "LogSoftmax", "Normalize",
        "OneHot", "Relu", "Relu6", "Selu", "Sigmoid", "Silu", "Softmax", "Softplus", "Softsign",
        "SparseCategoricalCrossentropy")},
    "Cast": "keras.src.ops.core", "Logsumexp": "keras.src.ops.math",
    "Norm": "keras.src.ops.linalg"}
