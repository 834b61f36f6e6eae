"""Normalisation layers: LayerNormalization and BatchNormalization."""
from nnkit.layers.normalization.batch_normalization import BatchNormalization
from nnkit.layers.normalization.layer_normalization import LayerNormalization

__all__ = ["LayerNormalization", "BatchNormalization"]
