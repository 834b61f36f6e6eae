"""Keras-style preprocessing: ``pad_sequences`` for ragged id lists, ``Tokenizer`` for raw text."""
from nnkit.preprocessing.sequence import pad_sequences
from nnkit.preprocessing.text import DEFAULT_FILTERS, Tokenizer, text_to_word_sequence

__all__ = ["DEFAULT_FILTERS", "Tokenizer", "pad_sequences", "text_to_word_sequence"]
