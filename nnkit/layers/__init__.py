"""nnkit's layers; each is registered by class name for configs and checkpoints.

Keras's functional merge helpers (``add``, ``concatenate``, ``dot``, ...) are here too, but
not in ``__all__``: ``nnkit`` star-imports the layer classes, and ``nnkit.add`` would not be
a layer.
"""
from nnkit.keras_names import missing_names
from nnkit.layers.activation import Activation
from nnkit.layers.activations import ELU, LeakyReLU, PReLU, ReLU, Softmax
from nnkit.layers.base import Layer
from nnkit.layers.dense import Dense
from nnkit.layers.dropout import Dropout
from nnkit.layers.embedding import Embedding
from nnkit.layers.lambda_layer import Lambda
from nnkit.layers.op_layer import OpLayer  # noqa: F401  (op nodes load from configs)
from nnkit.layers.input_layer import Input, InputLayer
from nnkit.layers.bidirectional import Bidirectional
from nnkit.layers.pooling import GlobalAveragePooling1D, GlobalMaxPooling1D
from nnkit.layers.time_distributed import TimeDistributed
from nnkit.layers.masking import Masking
from nnkit.layers.merge import (Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply,
                                Subtract)
from nnkit.layers.merge.functions import (add, average, concatenate, dot,  # noqa: F401
                                          maximum, minimum, multiply, subtract)
from nnkit.layers.recurrent import GRU, GatedInput, LSTM, RNN, SimpleRNN, StackedCells
from nnkit.layers.convolution import (AveragePooling1D, AveragePooling2D, Conv1D, Conv2D,
                                      MaxPooling1D, MaxPooling2D)
from nnkit.layers.global_pooling2d import GlobalAveragePooling2D, GlobalMaxPooling2D
from nnkit.layers.normalization import BatchNormalization, LayerNormalization
from nnkit.layers.rescaling import Rescaling
from nnkit.layers.reshaping import (Cropping1D, Flatten, Permute, RepeatVector, Reshape,
                                    TakeTimestep)
from nnkit.layers.spatial_dropout import SpatialDropout1D
from nnkit.layers.preprocessing import (IntegerLookup, StringLookup, TextVectorization,
                                        register_text_function)
from nnkit.layers.top_k_softmax import TopKSoftmax
from nnkit.layers.attention import (AdditiveAttention, Attention, MultiHeadAttention,
                                    PositionEmbedding, TokenAndPositionEmbedding,
                                    TransformerEncoder)

__all__ = ["Layer", "Lambda", "Rescaling", "Input", "InputLayer", "Dense", "Activation", "ReLU", "LeakyReLU", "ELU",
           "PReLU", "Softmax", "Dropout", "Embedding",
           "GlobalAveragePooling1D", "GlobalMaxPooling1D", "TimeDistributed", "Bidirectional",
           "RNN", "SimpleRNN", "LSTM", "GRU", "StackedCells", "GatedInput", "Masking",
           "Conv1D", "Conv2D", "MaxPooling1D", "MaxPooling2D", "AveragePooling1D",
           "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D",
           "LayerNormalization", "BatchNormalization", "Flatten", "Reshape", "RepeatVector",
           "Permute", "Cropping1D", "TakeTimestep", "SpatialDropout1D", "TopKSoftmax",
           "Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Dot",
           "TextVectorization", "StringLookup", "IntegerLookup"]
__all__ += ["MultiHeadAttention", "Attention", "AdditiveAttention", "PositionEmbedding",
            "TokenAndPositionEmbedding", "TransformerEncoder"]

__getattr__ = missing_names(__name__)   # names Keras has and nnkit lacks say so
