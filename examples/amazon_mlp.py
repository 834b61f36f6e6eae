"""Reproduce the LXMLS deep-learning lab: a bag-of-n-grams MLP on Amazon reviews.

Model (as in the lab): F → Dense(20, sigmoid) → Dense(2, softmax), SGD lr 0.01,
batch 5, 5 epochs, on the LXMLS split of Blitzer's processed_acl data (1600
train / 400 test per domain). Every domain is trained twice: with a dense
input matrix and with a SciPy CSR matrix (x·W and the kernel gradient never
densify it). Prints test accuracy and training time per domain and input.

    python examples/amazon_mlp.py                     # all four domains, dense and sparse
    python examples/amazon_mlp.py --domains books --input sparse
"""
import argparse
import time

import nnkit
from nnkit.datasets import amazon_reviews


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--domains", nargs="+", default=list(amazon_reviews.DOMAINS),
                        choices=amazon_reviews.DOMAINS)
    parser.add_argument("--input", choices=["dense", "sparse", "both"], default="both")
    parser.add_argument("--hidden", type=int, default=20)
    parser.add_argument("--learning-rate", type=float, default=0.01)
    parser.add_argument("--batch-size", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", default=None,
                        help="processed_acl folder (default: $NNKIT_DATA_DIR or download)")
    parser.add_argument("--backend", choices=["numpy", "cupy"], default="numpy")
    return parser.parse_args()


def train_and_test(x_train, y_train, x_test, y_test, args):
    """Train the lab's MLP; returns (test accuracy, train accuracy, seconds of training)."""
    nnkit.set_seed(args.seed)
    model = nnkit.Sequential([
        nnkit.Dense(args.hidden, activation="sigmoid", input_shape=(x_train.shape[1],)),
        nnkit.Dense(2, activation="softmax"),
    ])
    model.compile(nnkit.optimizers.SGD(args.learning_rate), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs, verbose=0)
    seconds = time.perf_counter() - start
    test = model.evaluate(x_test, y_test, batch_size=400, return_dict=True)["accuracy"]
    train = model.evaluate(x_train, y_train, batch_size=400, return_dict=True)["accuracy"]
    return test, train, seconds


def main():
    args = parse_args()
    nnkit.backend.set_backend(args.backend)
    inputs = ["dense", "sparse"] if args.input == "both" else [args.input]
    print(f"{'domain':<12}{'input':<8}{'features':>9}{'train acc':>11}{'test acc':>10}"
          f"{'seconds':>9}")
    for domain in args.domains:
        for kind in inputs:
            (x_train, y_train), (x_test, y_test), names = amazon_reviews.load_data(
                domain, path=args.data, sparse=(kind == "sparse"))
            test, train, seconds = train_and_test(x_train, y_train, x_test, y_test, args)
            print(f"{domain:<12}{kind:<8}{len(names):>9}{train:>11.3f}{test:>10.3f}"
                  f"{seconds:>9.2f}")


if __name__ == "__main__":
    main()
