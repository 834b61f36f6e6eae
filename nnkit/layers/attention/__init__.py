"""Attention layers (Keras 3.15's): multi-head, dot-product and additive attention; and
keras_hub's position embeddings and Transformer encoder block built from them."""
from nnkit.layers.attention.additive_attention import AdditiveAttention
from nnkit.layers.attention.attention import Attention
from nnkit.layers.attention.multi_head_attention import MultiHeadAttention
from nnkit.layers.attention.position_embedding import PositionEmbedding
from nnkit.layers.attention.token_and_position_embedding import TokenAndPositionEmbedding
from nnkit.layers.attention.transformer_encoder import TransformerEncoder

__all__ = ["AdditiveAttention", "Attention", "MultiHeadAttention", "PositionEmbedding",
           "TokenAndPositionEmbedding", "TransformerEncoder"]
