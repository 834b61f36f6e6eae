"""Building a vocabulary as Keras's ``IndexLookup.adapt`` does.

Keras counts every token (``update_state``), then in ``finalize_state``:

1. drops the mask and OOV tokens from the counts;
2. orders tokens by ``numpy.lexsort((tokens, counts))[::-1]``: most frequent first, and
   among equal counts the *larger* token first (strings compare by their UTF-8 bytes, which
   is Python's code-point order; integers by value);
3. keeps the first ``max_tokens - (mask and OOV slots)`` tokens;
4. for ``tf_idf``, weights token t by ``log(1 + documents / (1 + documents containing t))``
   (float64, then cast to floatx); the special slots get the mean of those weights and,
   with ``pad_to_max_tokens``, the unused slots up to ``max_tokens`` get 0.
"""
import collections

import numpy


class TokenCounts:
    """Running counts of one ``adapt`` call.

    Attributes:
        counts: ``{token: occurrences}``.
        document_counts: ``{token: documents holding it}`` (only when ``track_documents``).
        documents: documents (rows) seen.
    """

    def __init__(self, track_documents):
        self.track_documents = track_documents
        self.counts = collections.Counter()
        self.document_counts = collections.Counter()
        self.documents = 0

    def update(self, rows):
        """Count the tokens of ``rows`` (a list of documents, each a list of tokens)."""
        counts = self.counts
        for row in rows:
            counts.update(row)
        if self.track_documents:
            for row in rows:
                self.document_counts.update(set(row))
            self.documents += len(rows)

    def ordered_tokens(self, exclude, limit):
        """Tokens by Keras's order (count descending, then token descending), without
        ``exclude``, at most ``limit`` of them (None: all)."""
        items = [(count, token) for token, count in self.counts.items() if token not in exclude]
        items.sort(reverse=True)
        return [token for _, token in items[:limit]]

    def idf_weights(self, tokens, dtype):
        """``log(1 + documents / (1 + document count))`` of each token, ``(len(tokens),)``."""
        held = numpy.array([self.document_counts[token] for token in tokens], dtype="float64")
        return numpy.log(1.0 + self.documents / (1.0 + held)).astype(dtype)


def padded_idf(weights, front, back, front_value):
    """``weights`` with ``front`` special slots of ``front_value`` and ``back`` zeros after."""
    weights = numpy.asarray(weights)
    return numpy.concatenate([numpy.full(front, front_value, dtype=weights.dtype), weights,
                              numpy.zeros(max(back, 0), dtype=weights.dtype)])
