"""Keras-style word ``Tokenizer``: count words, rank them by frequency, map texts to ids."""
from nnkit.errors import InvalidArgumentError

DEFAULT_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'


def text_to_word_sequence(text, filters=DEFAULT_FILTERS, lower=True, split=" "):
    """Split a text into words the Keras way: lower-case, filter characters → ``split``, split.

    Args:
        text: str.
        filters: characters replaced by ``split`` before splitting.
        lower: lower-case the text first (``str.lower``).
        split: the separator.

    Returns:
        list of non-empty str.

    Example:
        >>> text_to_word_sequence("Hello, World!<br />It's")
        ['hello', 'world', 'br', "it's"]
    """
    if lower:
        text = text.lower()
    return [word for word in text.translate(str.maketrans({char: split for char in filters})).split(split) if word]


class Tokenizer:
    """Word tokenizer with Keras semantics (``keras.preprocessing.text.Tokenizer``).

    ``fit_on_texts`` counts words; ``word_index`` ranks them by descending count (ties: first
    seen first) from 1, after ``oov_token`` which, if given, takes index 1. ``texts_to_sequences``
    keeps only ids below ``num_words`` (if set); other and unknown words become the ``oov_token``
    id, or are dropped without one. Index 0 is never assigned (it is the padding id).

    Args:
        num_words: keep ids ``< num_words`` when converting (None: all).
        filters, lower, split: see ``text_to_word_sequence``.
        oov_token: str standing for out-of-vocabulary words, or None.

    Example:
        >>> tokenizer = Tokenizer(oov_token="<oov>")
        >>> tokenizer.fit_on_texts(["the cat sat", "the dog"])
        >>> tokenizer.word_index
        {'<oov>': 1, 'the': 2, 'cat': 3, 'sat': 4, 'dog': 5}
        >>> tokenizer.texts_to_sequences(["the bird sat"])
        [[2, 1, 4]]
    """

    def __init__(self, num_words=None, filters=DEFAULT_FILTERS, lower=True, split=" ", oov_token=None):
        if num_words is not None and (isinstance(num_words, bool) or not isinstance(num_words, int) or num_words < 1):
            raise InvalidArgumentError(f"Tokenizer: num_words must be None or an int >= 1, received {num_words!r}")
        if not isinstance(split, str) or not split:
            raise InvalidArgumentError(f"Tokenizer: split must be a non-empty str, received {split!r}")
        if not isinstance(filters, str):
            raise InvalidArgumentError(f"Tokenizer: filters must be a str, received {type(filters).__name__}")
        if oov_token is not None and not isinstance(oov_token, str):
            raise InvalidArgumentError(f"Tokenizer: oov_token must be None or a str, received {oov_token!r}")
        self.num_words = num_words
        self.filters = filters
        self.lower = bool(lower)
        self.split = split
        self.oov_token = oov_token
        self.word_counts = {}
        self.document_count = 0
        self.word_index = {}
        self.start_char = None
        self.oov_char = None
        self._fixed_vocabulary = False
        self._rank_words()

    @classmethod
    def from_word_index(cls, word_index, num_words=None, index_from=0, start_char=None,
                        oov_char=None, **kwargs):
        """A tokenizer with a fixed vocabulary, e.g. ``nnkit.datasets.imdb.get_word_index()``.

        Word ``w`` gets id ``word_index[w] + index_from``; words missing from the
        index are dropped; ids ``>= num_words`` become ``oov_char`` (dropped when
        None); ``start_char`` (if given) starts every sequence. With the IMDB
        index and ``index_from=3, start_char=1, oov_char=2`` raw reviews map to
        the ids of ``imdb.load_data``. ``fit_on_texts`` is not allowed on it.

        Example:
            >>> tokenizer = Tokenizer.from_word_index(imdb.get_word_index(), num_words=10000,
            ...                                       index_from=3, start_char=1, oov_char=2)
            >>> tokenizer.texts_to_sequences(["This film was just brilliant"])
            [[1, 14, 22, 16, 43, 530]]
        """
        tokenizer = cls(num_words=num_words, **kwargs)
        tokenizer.word_index = {word: int(rank) + index_from for word, rank in word_index.items()}
        tokenizer.start_char = start_char
        tokenizer.oov_char = oov_char
        tokenizer._fixed_vocabulary = True
        return tokenizer

    @property
    def index_word(self):
        """dict id → word, the inverse of ``word_index``."""
        return {index: word for word, index in self.word_index.items()}

    def fit_on_texts(self, texts):
        """Add the words of ``texts`` to the counts and re-rank ``word_index``.

        Args:
            texts: iterable of str.
        """
        if self._fixed_vocabulary:
            raise InvalidArgumentError("Tokenizer.fit_on_texts: this tokenizer has a fixed "
                                       "vocabulary (from_word_index)")
        for text in self._checked_texts(texts, "fit_on_texts"):
            self.document_count += 1
            for word in self._words(text):
                self.word_counts[word] = self.word_counts.get(word, 0) + 1
        self._rank_words()

    def texts_to_sequences(self, texts):
        """Map each text to a list of word ids.

        Args:
            texts: iterable of str.

        Returns:
            list of lists of int.
        """
        oov_index = self.oov_char if self._fixed_vocabulary else self.word_index.get(self.oov_token)
        unknown_index = None if self._fixed_vocabulary else oov_index
        start = [] if self.start_char is None else [self.start_char]
        sequences = []
        for text in self._checked_texts(texts, "texts_to_sequences"):
            ids = (self.word_index.get(word) for word in self._words(text))
            ids = (unknown_index if index is None else
                   oov_index if self.num_words and index >= self.num_words else index
                   for index in ids)
            sequences.append(start + [index for index in ids if index is not None])
        return sequences

    def get_config(self):
        """JSON-serialisable config holding the settings and the full vocabulary with counts."""
        config = {"num_words": self.num_words, "filters": self.filters, "lower": self.lower,
                  "split": self.split, "oov_token": self.oov_token}
        if self._fixed_vocabulary:
            return {**config, "word_index": [[word, index] for word, index in self.word_index.items()],
                    "start_char": self.start_char, "oov_char": self.oov_char}
        return {**config, "document_count": self.document_count,
                "word_counts": [[word, count] for word, count in self.word_counts.items()]}

    @classmethod
    def from_config(cls, config):
        """Rebuild a tokenizer from ``get_config()``; it maps every text to the same ids."""
        config = dict(config)
        if "word_index" in config:
            word_index = {word: index for word, index in config.pop("word_index")}
            return cls.from_word_index(word_index, **config)
        word_counts = config.pop("word_counts", [])
        document_count = config.pop("document_count", 0)
        tokenizer = cls(**config)
        tokenizer.word_counts = {word: count for word, count in word_counts}
        tokenizer.document_count = document_count
        tokenizer._rank_words()
        return tokenizer

    def _words(self, text):
        return text_to_word_sequence(text, self.filters, self.lower, self.split)

    def _rank_words(self):
        ranked = sorted((word for word in self.word_counts if word != self.oov_token),
                        key=lambda word: -self.word_counts[word])
        vocabulary = ([self.oov_token] if self.oov_token is not None else []) + ranked
        self.word_index = {word: index for index, word in enumerate(vocabulary, start=1)}

    @staticmethod
    def _checked_texts(texts, method):
        if isinstance(texts, str) or not hasattr(texts, "__iter__"):
            raise InvalidArgumentError(f"Tokenizer.{method}: texts must be an iterable of str, "
                                       f"received {type(texts).__name__}")
        texts = list(texts)
        for position, text in enumerate(texts):
            if not isinstance(text, str):
                raise InvalidArgumentError(f"Tokenizer.{method}: texts[{position}] must be a str, "
                                           f"received {type(text).__name__}")
        return texts
