"""Preprocessing layers: text and tokens in, ids or bag-of-words vectors out (Keras 3's
``TextVectorization``, ``StringLookup``, ``IntegerLookup``), with no weights and no gradient;
their vocabularies are saved with the model (``get_assets``/``set_assets``)."""
from nnkit.layers.preprocessing.integer_lookup import IntegerLookup
from nnkit.layers.preprocessing.string_lookup import StringLookup
from nnkit.layers.preprocessing.text_rules import register_text_function
from nnkit.layers.preprocessing.text_vectorization import TextVectorization

__all__ = ["IntegerLookup", "StringLookup", "TextVectorization", "register_text_function"]
