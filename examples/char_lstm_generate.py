"""A character LSTM trained on IMDB review text, generating text at several temperatures.

The reviews (``nnkit.datasets.imdb.load_texts``, ``$NNKIT_DATA_DIR/imdb``) are
lower-cased, ``<br />`` becomes a space, and characters outside the most frequent
ones become ``?``. The model (Embedding → LSTM → softmax over characters) learns to
predict the next character of 100-character windows of the training reviews; the
score is the validation bits per character on test-split reviews, against the
unigram baseline (the training character frequencies). For generation the weights
go into a ``stateful`` copy of batch size 1, which reads the prompt once and then
one sampled character at a time (``nnkit.utils.generation.generate``).

Run: python examples/char_lstm_generate.py [--backend numpy|cupy] [--reviews 5000]
     [--epochs 3] [--quick]
"""
import argparse
import collections
import math
import time

import numpy as np

import nnkit
from nnkit import layers as L
from nnkit.datasets import imdb
from nnkit.utils.generation import generate


def clean(text):
    return text.replace("<br />", " ").lower()


def make_alphabet(text, size):
    """The ``size - 1`` most frequent characters, plus ``?`` for the rest (id 0)."""
    common = [ch for ch, _ in collections.Counter(text).most_common(size - 1) if ch != "?"]
    return ["?"] + common


def to_ids(text, alphabet):
    lookup = {ch: i for i, ch in enumerate(alphabet)}
    return np.array([lookup.get(ch, 0) for ch in text], "int32")


def windows(ids, length):
    """Non-overlapping ``(N, length)`` inputs and next-character targets."""
    count = (len(ids) - 1) // length
    x = ids[:count * length].reshape(count, length)
    y = ids[1:count * length + 1].reshape(count, length)
    return x, y


def unigram_bits(train_ids, valid_ids, size):
    """Cross-entropy (bits/char) of the training character frequencies on the validation text."""
    counts = np.bincount(train_ids, minlength=size) + 1.0          # add-one: no zero
    p = counts / counts.sum()
    return float(-np.log2(p[valid_ids]).mean())


def build(vocab, units, embedding, batch_size=None, stateful=False):
    return nnkit.Sequential([
        nnkit.Input((None,), batch_size=batch_size, dtype="int32"),
        L.Embedding(vocab, embedding),
        L.LSTM(units, return_sequences=True, stateful=stateful),
        L.Dense(vocab, activation="softmax")])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["numpy", "cupy"], default="numpy")
    parser.add_argument("--reviews", type=int, default=5000, help="training reviews")
    parser.add_argument("--valid-reviews", type=int, default=500)
    parser.add_argument("--alphabet", type=int, default=60)
    parser.add_argument("--window", type=int, default=100)
    parser.add_argument("--units", type=int, default=256)
    parser.add_argument("--embedding", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--length", type=int, default=200, help="characters generated")
    parser.add_argument("--temperatures", type=float, nargs="+", default=[0.2, 0.5, 1.0])
    parser.add_argument("--quick", action="store_true", help="a tiny run (tests)")
    args = parser.parse_args()
    if args.quick:
        args.reviews, args.valid_reviews, args.units, args.epochs, args.length = 60, 20, 16, 1, 40
    nnkit.backend.set_backend(args.backend)
    nnkit.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    texts, _ = imdb.load_texts(split="train")
    valid_texts, _ = imdb.load_texts(split="test")
    train_text = "\n".join(clean(texts[i]) for i in rng.permutation(len(texts))[:args.reviews])
    valid_text = "\n".join(clean(valid_texts[i])
                           for i in rng.permutation(len(valid_texts))[:args.valid_reviews])
    alphabet = make_alphabet(train_text, args.alphabet)
    train_ids, valid_ids = to_ids(train_text, alphabet), to_ids(valid_text, alphabet)
    model = build(len(alphabet), args.units, args.embedding)
    model.compile("adam", "sparse_categorical_crossentropy")
    started = time.perf_counter()
    model.fit(*windows(train_ids, args.window), batch_size=args.batch_size, epochs=args.epochs,
              verbose=2)
    trained = time.perf_counter() - started
    nats = model.evaluate(*windows(valid_ids, args.window), batch_size=args.batch_size,
                          verbose=0)
    nats = nats[0] if isinstance(nats, list) else nats
    print(f"validation bits per character: {nats / math.log(2):.3f} (unigram baseline: "
          f"{unigram_bits(train_ids, valid_ids, len(alphabet)):.3f}; {trained:.0f} s training)")
    writer = build(len(alphabet), args.units, args.embedding, batch_size=1, stateful=True)
    prompt = to_ids("this movie was ", alphabet)[None, :]
    writer.predict(prompt, verbose=0)                 # builds the copy before set_weights
    writer.set_weights(model.get_weights())
    for temperature in args.temperatures:
        writer.reset_states()
        ids = generate(writer, prompt, args.length, temperature=temperature, seed=0)[0]
        print(f"--- temperature {temperature}:\nthis movie was "
              f"{''.join(alphabet[i] for i in ids)}")


if __name__ == "__main__":
    main()
