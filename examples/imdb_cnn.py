"""IMDB sentiment with Keras's IMDB CNN example (a 1-D convolution and max-pooling over time).

Embedding(5000, 50) → Dropout(0.2) → Conv1D(250, 3, relu) → GlobalMaxPooling1D →
Dense(250) → Dropout(0.2) → ReLU → Dense(1, sigmoid); Adam, binary cross-entropy,
batch 32, 2 epochs, reviews pre-padded to 400 tokens (Keras's settings; Keras
reports ~0.89 test accuracy).

    python examples/imdb_cnn.py
    python examples/imdb_cnn.py --limit 2000 --epochs 1     # a quick run
"""
import argparse
import time

import nnkit
from nnkit.datasets import imdb
from nnkit.preprocessing import pad_sequences


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--num-words", type=int, default=5000, help="vocabulary size V")
    parser.add_argument("--maxlen", type=int, default=400)
    parser.add_argument("--embedding", type=int, default=50)
    parser.add_argument("--filters", type=int, default=250)
    parser.add_argument("--kernel-size", type=int, default=3)
    parser.add_argument("--hidden", type=int, default=250)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None,
                        help="use only the first LIMIT training and test reviews")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", default=None, help="folder with imdb.npz (default: "
                                                     "$NNKIT_DATA_DIR/imdb or download)")
    parser.add_argument("--backend", choices=["numpy", "cupy"], default="numpy")
    args = parser.parse_args()
    nnkit.backend.set_backend(args.backend)
    nnkit.backend.keep_freed_memory()  # reuse freed temporaries: far fewer page faults
    return args


def build_model(args):
    return nnkit.Sequential([
        nnkit.Embedding(args.num_words, args.embedding),
        nnkit.Dropout(0.2),
        nnkit.Conv1D(args.filters, args.kernel_size, padding="valid", activation="relu"),
        nnkit.GlobalMaxPooling1D(),
        nnkit.Dense(args.hidden),
        nnkit.Dropout(0.2),
        nnkit.Activation("relu"),
        nnkit.Dense(1, activation="sigmoid"),
    ], name="imdb_cnn")


def main():
    args = parse_args()
    nnkit.set_seed(args.seed)
    (x_train, y_train), (x_test, y_test) = imdb.load_data(args.data, num_words=args.num_words)
    if args.limit:
        x_train, y_train = x_train[:args.limit], y_train[:args.limit]
        x_test, y_test = x_test[:args.limit], y_test[:args.limit]
    x_train = pad_sequences(x_train, maxlen=args.maxlen)
    x_test = pad_sequences(x_test, maxlen=args.maxlen)
    model = build_model(args)
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs)
    train_seconds = time.perf_counter() - start
    result = model.evaluate(x_test, y_test, batch_size=256, return_dict=True)
    print(f"test accuracy {result['accuracy']:.4f} (loss {result['loss']:.4f}) on "
          f"{len(y_test)} reviews; training {train_seconds:.0f} s")


if __name__ == "__main__":
    main()
