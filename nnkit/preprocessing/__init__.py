"""Keras-style preprocessing: ``pad_sequences`` for ragged id lists, ``Tokenizer`` for raw text."""
from nnkit.keras_names import missing_names
from nnkit.preprocessing.sequence import pad_sequences
from nnkit.preprocessing.text import DEFAULT_FILTERS, Tokenizer, text_to_word_sequence

__all__ = ["DEFAULT_FILTERS", "Tokenizer", "pad_sequences", "text_to_word_sequence"]

__getattr__ = missing_names(__name__)   # names Keras has and nnkit lacks say so
