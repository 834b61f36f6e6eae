"""Handwritten digits with a small convolutional network (Bengio's Theano guide: conv → pool → dense).

The 8×8 digit images that scikit-learn ships inside its package (``load_digits``: 1,797
images, no download; scikit-learn is needed for this example only). Conv2D(16, 3, relu,
same) → MaxPooling2D(2) → Conv2D(32, 3, relu, same) → MaxPooling2D(2) → Flatten →
Dense(64, relu) → Dropout(0.3) → Dense(10, softmax), Adam, 40 epochs; a stratified 80/20
split with a fixed seed.

    python examples/digits_cnn.py
"""
import argparse
import time

import numpy as np

import nnkit


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--backend", choices=["numpy", "cupy"], default="numpy")
    args = parser.parse_args()
    nnkit.backend.set_backend(args.backend)
    return args


def load(seed):
    """``(x_train, y_train), (x_test, y_test)``: images ``(N, 8, 8, 1)`` in [0, 1], labels 0-9."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    digits = load_digits()
    x = (digits.images / 16.0).astype("float32")[..., None]
    x_train, x_test, y_train, y_test = train_test_split(x, digits.target, test_size=0.2,
                                                        stratify=digits.target, random_state=seed)
    return (x_train, y_train), (x_test, y_test)


def build_model():
    return nnkit.Sequential([
        nnkit.Conv2D(16, 3, padding="same", activation="relu", input_shape=(8, 8, 1)),
        nnkit.MaxPooling2D(2),
        nnkit.Conv2D(32, 3, padding="same", activation="relu"),
        nnkit.MaxPooling2D(2),
        nnkit.Flatten(),
        nnkit.Dense(64, activation="relu"),
        nnkit.Dropout(0.3),
        nnkit.Dense(10, activation="softmax"),
    ], name="digits_cnn")


def main():
    args = parse_args()
    (x_train, y_train), (x_test, y_test) = load(args.seed)
    nnkit.set_seed(args.seed)
    model = build_model()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs, verbose=0)
    seconds = time.perf_counter() - start
    result = model.evaluate(x_test, y_test, return_dict=True)
    print(f"test accuracy {result['accuracy']:.4f} (loss {result['loss']:.4f}) on {len(y_test)} "
          f"images; {model.count_params():,} parameters; training {seconds:.1f} s")
    return result


if __name__ == "__main__":
    main()
