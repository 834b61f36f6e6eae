"""Raw text in, prediction out: keras.io's "Text classification from scratch" on the IMDB
review folders, with the TextVectorization layer saved inside the model.

The reviews come as one ``.txt`` file each under ``aclImdb/{train,test}/{neg,pos}``
(extracted once from ``aclImdb_v1_labeled.tar.gz`` into a cache folder);
``text_dataset_from_directory`` reads them (train split 80/20 into training and validation,
seed 1337). A ``TextVectorization`` (20,000 tokens, 500 per review, keras.io's custom
standardisation: lower case, ``<br />`` and punctuation removed) is adapted on the training
text; the model is keras.io's: Embedding(20000, 128) → Dropout(0.5) → 2 × Conv1D(128, 7,
strides=3, relu) → GlobalMaxPooling1D → Dense(128, relu) → Dropout(0.5) → Dense(1, sigmoid),
Adam, 3 epochs, batch 32. As on keras.io it trains on the vectorised reviews, then the
end-to-end model ``string → TextVectorization → model`` is evaluated on the raw test reviews,
saved as one file, and loaded in a fresh process that classifies raw sentences.

    python examples/imdb_raw_text.py                     # the full run
    python examples/imdb_raw_text.py --limit 500 --epochs 1 --sequence-length 100
    python examples/imdb_raw_text.py --predict "a wonderful film" --model imdb_raw_text.keras
"""
import argparse
import os
import pathlib
import re
import string
import subprocess
import sys
import tarfile
import time

import numpy

import nnkit
from nnkit.utils import text_dataset_from_directory

CLASSES = ["neg", "pos"]
#: the only archive members extracted: review files (no links, no other paths)
REVIEW = re.compile(r"aclImdb/(train|test)/(neg|pos)/\d+_\d+\.txt")
_PUNCTUATION = re.compile(f"[{re.escape(string.punctuation)}]")


@nnkit.layers.register_text_function(package="imdb_raw_text")
def custom_standardization(texts):
    """keras.io's: lower case, ``<br />`` to a space, ASCII punctuation removed; ``(N,)`` str."""
    return numpy.array([_PUNCTUATION.sub("", text.lower().replace("<br />", " "))
                        for text in texts.tolist()], dtype=object)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--archive", default=None, help="aclImdb_v1_labeled.tar.gz (default: "
                        "$NNKIT_DATA_DIR/imdb/, else ../shared/data/imdb/)")
    parser.add_argument("--cache", default=None, help="where the reviews are extracted "
                        "(default: ~/.keras/datasets)")
    parser.add_argument("--limit", type=int, default=None,
                        help="extract and use only LIMIT reviews per class and split")
    parser.add_argument("--max-tokens", type=int, default=20000)
    parser.add_argument("--sequence-length", type=int, default=500)
    parser.add_argument("--embedding", type=int, default=128)
    parser.add_argument("--filters", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=1337)
    parser.add_argument("--model", default="imdb_raw_text.keras",
                        help="the end-to-end model file (.keras, or .h5 for nnkit's HDF5)")
    parser.add_argument("--predict", nargs="+", default=None,
                        help="classify these sentences with the saved --model, then stop")
    parser.add_argument("--backend", choices=["numpy", "cupy"], default="numpy")
    args = parser.parse_args()
    nnkit.backend.set_backend(args.backend)
    return args


def default_archive():
    data = os.environ.get("NNKIT_DATA_DIR") or pathlib.Path(__file__).resolve().parents[2] / \
        "shared" / "data"
    return pathlib.Path(data) / "imdb" / "aclImdb_v1_labeled.tar.gz"


def extract_reviews(archive, cache, limit):
    """Extract the review files (at most ``limit`` per folder) once; returns ``aclImdb``."""
    root = pathlib.Path(cache) / ("aclImdb" if limit is None else f"aclImdb_first{limit}")
    if (root / ".complete").exists():
        return root / "aclImdb"
    counts = {}
    start = time.perf_counter()
    with tarfile.open(archive, "r|gz") as tar:
        for member in tar:
            match = REVIEW.fullmatch(member.name)
            if not match or not member.isfile():
                continue
            folder = match.group(1, 2)
            if limit is not None and counts.get(folder, 0) >= limit:
                if len(counts) == 4 and min(counts.values()) >= limit:
                    break
                continue
            counts[folder] = counts.get(folder, 0) + 1
            target = root / member.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(tar.extractfile(member).read())
    (root / ".complete").write_text("")
    print(f"extracted {sum(counts.values())} reviews into {root} in "
          f"{time.perf_counter() - start:.0f}s")
    return root / "aclImdb"


def collect(dataset):
    """All ``(texts (N,), labels (N,))`` of a dataset of batches."""
    batches = [dataset[i] for i in range(len(dataset))]
    return (numpy.concatenate([texts for texts, _ in batches]),
            numpy.concatenate([labels for _, labels in batches]))


def build_model(args):
    """keras.io's Conv1D classifier of token ids ``(N, T)`` → ``(N, 1)``."""
    ids = nnkit.Input(shape=(None,), dtype="int64")
    x = nnkit.layers.Embedding(args.max_tokens, args.embedding)(ids)
    x = nnkit.layers.Dropout(0.5)(x)
    for _ in range(2):
        x = nnkit.layers.Conv1D(args.filters, 7, padding="valid", activation="relu",
                                strides=3)(x)
    x = nnkit.layers.GlobalMaxPooling1D()(x)
    x = nnkit.layers.Dense(args.filters, activation="relu")(x)
    x = nnkit.layers.Dropout(0.5)(x)
    model = nnkit.Model(ids, nnkit.layers.Dense(1, activation="sigmoid", name="predictions")(x))
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def train(args):
    nnkit.utils.set_random_seed(args.seed)
    cache = args.cache or pathlib.Path(nnkit.utils.files.keras_home()) / "datasets"
    reviews = extract_reviews(args.archive or default_archive(), cache, args.limit)
    train_ds, val_ds = text_dataset_from_directory(
        reviews / "train", batch_size=args.batch_size, validation_split=0.2, subset="both",
        seed=args.seed, class_names=CLASSES)
    test_ds = text_dataset_from_directory(reviews / "test", batch_size=args.batch_size,
                                          class_names=CLASSES, seed=args.seed)
    start = time.perf_counter()
    vectorize = nnkit.layers.TextVectorization(
        standardize=custom_standardization, max_tokens=args.max_tokens, output_mode="int",
        output_sequence_length=args.sequence_length)
    vectorize.adapt(train_ds)
    (train_text, y_train), (val_text, y_val) = collect(train_ds), collect(val_ds)
    x_train, x_val = vectorize(train_text), vectorize(val_text)
    print(f"adapted and vectorised {len(train_text) + len(val_text)} reviews in "
          f"{time.perf_counter() - start:.1f}s; vocabulary {vectorize.vocabulary_size()}")
    model = build_model(args)
    start = time.perf_counter()
    model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=args.epochs,
              batch_size=args.batch_size, verbose=2)
    print(f"trained in {time.perf_counter() - start:.0f}s")
    text = nnkit.Input(shape=(1,), dtype="string")
    end_to_end = nnkit.Model(text, model(vectorize(text)))
    end_to_end.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    test_text, y_test = collect(test_ds)
    _, accuracy = end_to_end.evaluate(test_text, y_test, batch_size=256, verbose=0)
    print(f"test accuracy {accuracy:.4f} on {len(test_text)} raw reviews")
    end_to_end.save(args.model)
    print(f"saved {args.model}; classifying in a fresh process:")
    sentences = ["This movie was wonderful, moving and beautifully acted.",
                 "A dull, boring waste of two hours. Terrible."]
    subprocess.run([sys.executable, __file__, "--model", args.model, "--predict", *sentences],
                   check=True)


def predict(args):
    model = nnkit.models.load_model(args.model)
    scores = model.predict(numpy.array(args.predict, dtype=object), verbose=0).reshape(-1)
    for sentence, score in zip(args.predict, scores):
        verdict = "positive" if score > 0.5 else "negative"
        print(f"{verdict} P(positive) = {score:.3f}: {sentence}")


if __name__ == "__main__":
    arguments = parse_args()
    predict(arguments) if arguments.predict else train(arguments)
