"""Keras's text rules for ``TextVectorization``: standardize, split and n-grams, in plain Python.

Keras (TensorFlow ops) and nnkit agree on:

- ``"lower"``: ``tf.strings.lower`` without an encoding lower-cases ASCII letters only
  ("É" stays "É").
- ``"strip_punctuation"``: Keras deletes every match of
  ``[!"#$%&()\\*\\+,-\\./:;<=>?@\\[\\\\\\]^_`{|}~\\']``: the 32 ASCII punctuation characters
  (``string.punctuation``); other symbols ("«", "—") stay.
- ``"whitespace"``: ``tf.strings.split`` splits on runs of ASCII whitespace (space, \\t,
  \\n, \\v, \\f, \\r) and drops empty pieces; Python's ``str.split()`` would also split on
  \\x1c-\\x1f and Unicode spaces, so those strings take a regular expression instead.
- ``"character"``: one token per Unicode code point (spaces included).
- n-grams (``tf.strings.ngrams``, separator " "): per document, all n-grams of the first
  width, then of the next; a document shorter than n has none of width n.

Custom callables must be registered (``register_text_function``) to be saved: loading never
imports code. A custom ``standardize`` receives a NumPy array of ``str`` ``(N,)`` and returns
one of the same shape (Keras's contract on non-TensorFlow backends); a custom ``split``
receives ``(N,)`` strings and returns one list of tokens per string.
"""
import re
import string

import numpy

from nnkit.errors import InvalidArgumentError
from nnkit.registry import Registry

STANDARDIZE_NAMES = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
SPLIT_NAMES = ("whitespace", "character")

_LOWER = {code: code + 32 for code in range(ord("A"), ord("Z") + 1)}
_STRIP = {ord(char): None for char in string.punctuation}
_TABLES = {"lower": _LOWER, "strip_punctuation": _STRIP,
           "lower_and_strip_punctuation": {**_LOWER, **_STRIP}}
_ASCII_TOKEN = re.compile(r"[^ \t\n\v\f\r]+")
#: what ``str.split()`` treats as whitespace and TensorFlow does not
_NOT_TF_SPACE = re.compile("[\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")

#: custom standardize/split functions by registered name ("package>name" and plain name)
TEXT_FUNCTIONS = Registry("text function")


def register_text_function(package="Custom", name=None):
    """Decorator: make a custom ``standardize``/``split`` function saveable under
    ``"<package>><name>"`` (Keras's registered name) and ``name``."""
    def decorator(function):
        key = name or function.__name__
        TEXT_FUNCTIONS.alias(f"{package}>{key}", function)
        TEXT_FUNCTIONS.alias(key, function)
        function._nnkit_registered_name = f"{package}>{key}"
        return function
    return decorator


def serialize_rule(rule):
    """A rule for a config: its name, None, or Keras's ``{"class_name": "function", ...}``.

    Raises:
        InvalidArgumentError: an unregistered callable.
    """
    if rule is None or isinstance(rule, str):
        return rule
    registered = getattr(rule, "_nnkit_registered_name", None)
    if registered is None:
        raise InvalidArgumentError(
            f"TextVectorization: the custom function {getattr(rule, '__name__', rule)!r} cannot "
            f"be saved; register it with @nnkit.layers.register_text_function()")
    return {"module": None, "class_name": "function", "config": registered,
            "registered_name": "function"}


def deserialize_rule(rule, argument, names):
    """The rule a config names: one of ``names``, None, a callable, or a registered function."""
    if rule is None or callable(rule) or rule in names:
        return rule
    if isinstance(rule, dict) and rule.get("class_name") == "function":
        return TEXT_FUNCTIONS.get(rule.get("config"))
    raise InvalidArgumentError(f"TextVectorization: {argument} must be None, one of {names} or "
                               f"a callable, received {rule!r}")


def standardize(texts, rule):
    """Apply ``rule`` to a list of ``str``; returns a list of ``str``."""
    if rule is None:
        return texts
    if callable(rule):
        return [str(text) for text in numpy.asarray(rule(numpy.asarray(texts, dtype=str)))
                .reshape(-1).tolist()]
    table = _TABLES[rule]
    if rule == "strip_punctuation":
        return [text.translate(table) for text in texts]
    lower_only = rule == "lower"
    return [(text.lower() if lower_only else text.lower().translate(_STRIP))
            if text.isascii() else text.translate(table) for text in texts]


def _whitespace_tokens(text):
    if _NOT_TF_SPACE.search(text) is None:
        return text.split()
    return _ASCII_TOKEN.findall(text)


def split(texts, rule):
    """Tokens of each text: a list of lists of ``str``."""
    if rule is None:
        return [[text] for text in texts]
    if rule == "whitespace":
        return [_whitespace_tokens(text) for text in texts]
    if rule == "character":
        return [list(text) for text in texts]
    rows = rule(numpy.asarray(texts, dtype=str))
    return [[str(token) for token in row] for row in rows]


def ngrams(rows, widths):
    """Each row's n-grams for every width in ``widths`` (in that order), joined by " "."""
    if widths is None:
        return rows
    grams = []
    for tokens in rows:
        row = []
        for width in widths:
            if width == 1:
                row += tokens
            else:
                row += [" ".join(tokens[i:i + width]) for i in range(len(tokens) - width + 1)]
        grams.append(row)
    return grams
