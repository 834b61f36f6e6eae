"""Two inputs: the masked mean of a review's padded token ids, concatenated with style features.

IMDB reviews from the raw aclImdb archive. Input 1: the review's word ids (Keras's IMDB
encoding, post-padded), embedded with ``mask_zero`` and averaged over the real tokens only
(the "padded embedding mean"). Input 2: a dense vector of six features of the raw text that
the ids cannot see (log length in characters, exclamation and question marks per 100 words,
share of ALL-CAPS words, share of words with digits, line breaks per 100 words), standardised
on the training set. ``Concatenate`` joins the two, then ``Dense(32, relu) → Dense(2, softmax)``.
The same model without the feature input is trained beside it.

    python examples/imdb_tokens_and_features.py
"""
import argparse
import re
import time

import numpy as np

import nnkit
from nnkit.datasets import imdb
from nnkit.preprocessing import pad_sequences

FEATURES = ("log characters", "! per 100 words", "? per 100 words", "ALL-CAPS words",
            "words with digits", "line breaks per 100 words")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--num-words", type=int, default=20000)
    parser.add_argument("--maxlen", type=int, default=400)
    parser.add_argument("--embedding", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--limit", type=int, default=None, help="first LIMIT reviews per split")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", default=None, help="folder with the aclImdb archive and word index")
    parser.add_argument("--backend", choices=["numpy", "cupy"], default="numpy")
    args = parser.parse_args()
    nnkit.backend.set_backend(args.backend)
    nnkit.backend.keep_freed_memory()  # reuse freed temporaries: far fewer page faults
    return args


def style_features(texts):
    """``(N, 6)`` float32 features of the raw texts (see ``FEATURES``)."""
    rows = []
    for text in texts:
        words = text.split()
        per_word = 100.0 / max(len(words), 1)
        rows.append([np.log1p(len(text)), text.count("!") * per_word, text.count("?") * per_word,
                     sum(w.isupper() and len(w) > 1 for w in words) / max(len(words), 1),
                     sum(bool(re.search(r"\d", w)) for w in words) / max(len(words), 1),
                     text.count("<br />") * per_word])
    return np.asarray(rows, dtype=np.float32)


def load(args):
    splits = {}
    for split in ("train", "test"):
        texts, labels = imdb.load_texts(args.data, split=split)
        order = np.random.default_rng(args.seed).permutation(len(texts))[:args.limit]
        texts, labels = [texts[i] for i in order], labels[order]
        ids = imdb.texts_to_sequences(texts, path=args.data, num_words=args.num_words)
        tokens = pad_sequences(ids, maxlen=args.maxlen, padding="post", truncating="pre")
        splits[split] = ({"tokens": tokens, "style": style_features(texts)}, labels)
    mean = splits["train"][0]["style"].mean(axis=0)
    std = splits["train"][0]["style"].std(axis=0) + 1e-6
    for x, _ in splits.values():
        x["style"] = (x["style"] - mean) / std
    return splits


def build(args, with_style):
    tokens = nnkit.Input((None,), dtype="int32", name="tokens")
    pooled = nnkit.GlobalAveragePooling1D(name="token_mean")(
        nnkit.Embedding(args.num_words, args.embedding, mask_zero=True)(tokens))
    inputs, joined = [tokens], pooled
    if with_style:
        style = nnkit.Input((len(FEATURES),), name="style")
        inputs.append(style)
        joined = nnkit.Concatenate()([pooled, style])
    hidden = nnkit.Dense(32, activation="relu")(joined)
    return nnkit.Model(inputs, nnkit.Dense(2, activation="softmax")(hidden),
                       name="tokens_and_style" if with_style else "tokens_only")


def main():
    args = parse_args()
    data = load(args)
    for with_style in (True, False):
        model = build(args, with_style)
        names = model.input_names
        x_train, y_train = data["train"]
        x_test, y_test = data["test"]
        nnkit.set_seed(args.seed)
        model.compile(nnkit.optimizers.Adam(2e-3), "sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        start = time.perf_counter()
        model.fit({k: x_train[k] for k in names}, y_train, batch_size=args.batch_size,
                  epochs=args.epochs, verbose=0)
        seconds = time.perf_counter() - start
        result = model.evaluate({k: x_test[k] for k in names}, y_test, batch_size=256,
                                return_dict=True)
        print(f"{model.name}: test accuracy {result['accuracy']:.4f} (loss {result['loss']:.4f}) "
              f"on {len(y_test)} reviews; {model.count_params():,} parameters; training "
              f"{seconds:.0f} s")


if __name__ == "__main__":
    main()
