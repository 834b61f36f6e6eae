"""Train a small IMDB LSTM in Keras 3, then run the same file with nnkit: same test accuracy?

Run in a virtual environment that has Keras (never a dependency of nnkit), with nnkit
installed there too (``pip install --no-deps -e .``)::

    KERAS_BACKEND=jax /tmp/keras-venv/bin/python benchmarks/keras_trained_imdb.py \\
        --data $NNKIT_DATA_DIR/imdb --out /tmp/keras_imdb.keras

Prints Keras's test accuracy and nnkit's on the same file and padded test set, the
largest difference of the two frameworks' probabilities, and each one's prediction time.
"""
import argparse
import time

import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None)
    parser.add_argument("--out", default="keras_imdb.keras")
    parser.add_argument("--num-words", type=int, default=10000)
    parser.add_argument("--maxlen", type=int, default=200)
    parser.add_argument("--epochs", type=int, default=1)
    args = parser.parse_args()
    import keras
    import nnkit
    from nnkit.datasets import imdb
    from nnkit.preprocessing import pad_sequences
    (x_train, y_train), (x_test, y_test) = imdb.load_data(args.data, num_words=args.num_words)
    pad = dict(maxlen=args.maxlen, padding="post", truncating="pre")
    x_train, x_test = pad_sequences(x_train, **pad), pad_sequences(x_test, **pad)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((None,), dtype="int32"),
                              keras.layers.Embedding(args.num_words, 32, mask_zero=True),
                              keras.layers.LSTM(32, return_sequences=True),
                              keras.layers.GlobalAveragePooling1D(),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x_train, y_train, batch_size=64, epochs=args.epochs, verbose=2)
    print(f"Keras training: {time.perf_counter() - start:.0f} s")
    model.save(args.out)
    start = time.perf_counter()
    keras_p = model.predict(x_test, batch_size=256, verbose=0)
    keras_seconds = time.perf_counter() - start
    ours = nnkit.load_model(args.out)
    start = time.perf_counter()
    nnkit_p = ours.predict(x_test, batch_size=256)
    nnkit_seconds = time.perf_counter() - start
    print(f"test accuracy: Keras {np.mean(keras_p.argmax(1) == y_test):.4f} "
          f"({keras_seconds:.1f} s), nnkit {np.mean(nnkit_p.argmax(1) == y_test):.4f} "
          f"({nnkit_seconds:.1f} s) on {len(y_test)} reviews; largest probability "
          f"difference {np.abs(keras_p - nnkit_p).max():.2e}")


if __name__ == "__main__":
    main()
