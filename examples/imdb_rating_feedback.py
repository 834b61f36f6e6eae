"""IMDB ratings with a hierarchical "feedback" network: polarity, then strength, then the rating.

The review goes through Embedding → LSTM → masked mean → Dense + LayerNormalization + ReLU;
that vector is repeated 3 times (RepeatVector) into a GRU with layer normalisation, and step
t of the GRU feeds its own softmax: t = 0 the polarity (2 classes), t = 1 the strength band
(4: ratings 1-2, 3-4, 7-8, 9-10), t = 2 the exact rating (8 classes: 1-4, 7-10). The three
losses are summed. A flat 8-way classifier of about the same size is trained beside it, and
both are scored at every level (the flat model's band and polarity come from its rating).

    python examples/imdb_rating_feedback.py
    python examples/imdb_rating_feedback.py --limit 2000 --epochs 1      # a quick run
"""
import argparse
import time

import numpy as np

import nnkit
from nnkit.datasets import imdb
from nnkit.preprocessing import pad_sequences

RATINGS = np.array([1, 2, 3, 4, 7, 8, 9, 10])
LEVELS = ("polarity", "band", "rating")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--num-words", type=int, default=10000)
    parser.add_argument("--maxlen", type=int, default=400)
    parser.add_argument("--embedding", type=int, default=128)
    parser.add_argument("--units", type=int, default=128, help="LSTM and dense size")
    parser.add_argument("--gru-units", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--limit", type=int, default=None, help="first LIMIT reviews per split")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--model", choices=("both", "feedback", "flat"), default="both")
    parser.add_argument("--data", default=None, help="folder with imdb.npz and the aclImdb archive")
    parser.add_argument("--backend", choices=["numpy", "cupy"], default="numpy")
    args = parser.parse_args()
    nnkit.backend.set_backend(args.backend)
    nnkit.backend.keep_freed_memory()  # reuse freed temporaries: far fewer page faults
    return args


def levels(ratings):
    """``{"polarity": (N,) 0/1, "band": (N,) 0..3, "rating": (N,) 0..7}`` from ratings 1-10."""
    rating = np.searchsorted(RATINGS, ratings)
    return {"polarity": (ratings >= 7).astype(np.int64), "band": rating // 2, "rating": rating}


def review_vector(args, tokens):
    """Embedding → LSTM → masked mean → Dense + LayerNormalization + ReLU: ``(N, units)``."""
    embedded = nnkit.Embedding(args.num_words, args.embedding, mask_zero=True)(tokens)
    pooled = nnkit.GlobalAveragePooling1D()(nnkit.LSTM(args.units, return_sequences=True)(embedded))
    hidden = nnkit.LayerNormalization()(nnkit.Dense(args.units)(pooled))
    return nnkit.Activation("relu")(hidden)


def feedback_model(args):
    tokens = nnkit.Input((None,), dtype="int32", name="tokens")
    steps = nnkit.RepeatVector(3)(review_vector(args, tokens))
    states = nnkit.LayerNormalization()(nnkit.GRU(args.gru_units, return_sequences=True)(steps))
    outputs = [nnkit.Dense(classes, activation="softmax", name=level)(
        nnkit.TakeTimestep(t)(states)) for t, (level, classes) in enumerate(zip(LEVELS, (2, 4, 8)))]
    return nnkit.Model(tokens, outputs, name="feedback")


def flat_model(args):
    tokens = nnkit.Input((None,), dtype="int32", name="tokens")
    hidden = nnkit.Dense(args.gru_units, activation="relu")(review_vector(args, tokens))
    return nnkit.Model(tokens, nnkit.Dense(8, activation="softmax", name="rating")(hidden),
                       name="flat")


def accuracies(predicted_rating, truth):
    """Accuracy at every level of a predicted rating class ``(N,)`` 0..7."""
    guess = levels(RATINGS[predicted_rating])
    return {level: float((guess[level] == truth[level]).mean()) for level in LEVELS}


def train(model, args, x_train, y_train, x_test, y_test):
    nnkit.set_seed(args.seed)
    losses = {name: "sparse_categorical_crossentropy" for name in model.output_names}
    model.compile(nnkit.optimizers.Adam(1e-3), losses, metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x_train, {name: y_train[name] for name in model.output_names},
              batch_size=args.batch_size, epochs=args.epochs, shuffle="bucket")
    seconds = time.perf_counter() - start
    predictions = model.predict(x_test, batch_size=256)
    predictions = predictions if isinstance(predictions, list) else [predictions]
    by_level = dict(zip(model.output_names, predictions))
    scores = accuracies(by_level["rating"].argmax(axis=1), y_test)
    if len(by_level) > 1:        # each head on its own, not only through the rating head
        scores.update({f"{level} head": float((by_level[level].argmax(axis=1) ==
                                               y_test[level]).mean()) for level in LEVELS})
    print(f"{model.name}: {model.count_params():,} parameters, training {seconds:.0f} s; "
          f"test accuracy " + ", ".join(f"{key} {value:.4f}" for key, value in scores.items()))
    return scores


def main():
    args = parse_args()
    (x_train, _, r_train), (x_test, _, r_test) = imdb.load_data(
        args.data, num_words=args.num_words, ratings=True)
    if args.limit:
        x_train, r_train, x_test, r_test = (x_train[:args.limit], r_train[:args.limit],
                                            x_test[:args.limit], r_test[:args.limit])
    pad = dict(maxlen=args.maxlen, padding="post", truncating="pre")
    x_train, x_test = pad_sequences(x_train, **pad), pad_sequences(x_test, **pad)
    y_train, y_test = levels(r_train), levels(r_test)
    builders = {"feedback": feedback_model, "flat": flat_model}
    names = builders if args.model == "both" else [args.model]
    for name in names:
        train(builders[name](args), args, x_train, y_train, x_test, y_test)


if __name__ == "__main__":
    main()
