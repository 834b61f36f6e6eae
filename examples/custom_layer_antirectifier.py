"""Keras's "antirectifier" custom layer, written only with ``build`` and ``call`` of ops, on
real data: Amazon product reviews (bag of words, the LXMLS split), positive vs negative.

The layer is Keras's example (keras.io/examples/keras_recipes/antirectifier) unchanged but
for ``keras`` → ``nnkit``: it centres its input, keeps the positive and the negative parts,
concatenates them and mixes them with a kernel. nnkit traces ``call`` into a graph of ops,
each with its hand-written gradient; no gradient is written here.

    python examples/custom_layer_antirectifier.py                  # books, 5 epochs
    python examples/custom_layer_antirectifier.py --domain kitchen --epochs 2
"""
import argparse
import time

import nnkit
from nnkit import layers, ops
from nnkit.datasets import amazon_reviews


class Antirectifier(layers.Layer):
    """``concat(relu(x - mean(x)), relu(mean(x) - x)) @ kernel``: ``(N, D)`` → ``(N, D)``."""

    def __init__(self, initializer="he_normal", **kwargs):
        super().__init__(**kwargs)
        self.initializer = nnkit.initializers.get(initializer)

    def build(self, input_shape):
        output_dim = input_shape[-1]
        self.kernel = self.add_weight(shape=(output_dim * 2, output_dim),
                                      initializer=self.initializer, name="kernel",
                                      trainable=True)

    def call(self, inputs):
        inputs -= ops.mean(inputs, axis=-1, keepdims=True)
        pos = ops.relu(inputs)
        neg = ops.relu(-inputs)
        concatenated = ops.concatenate([pos, neg], axis=-1)
        mixed = ops.matmul(concatenated, self.kernel)
        return mixed

    def get_config(self):
        base_config = super().get_config()
        config = {"initializer": nnkit.initializers.serialize(self.initializer)}
        return dict(list(base_config.items()) + list(config.items()))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--domain", default="books", choices=amazon_reviews.DOMAINS)
    parser.add_argument("--units", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", default=None,
                        help="processed_acl folder (default: $NNKIT_DATA_DIR or download)")
    parser.add_argument("--backend", choices=["numpy", "cupy"], default="numpy")
    return parser.parse_args()


def main():
    args = parse_args()
    nnkit.backend.set_backend(args.backend)
    nnkit.utils.set_random_seed(args.seed)
    (x_train, y_train), (x_test, y_test), names = amazon_reviews.load_data(
        args.domain, path=args.data, sparse=False)
    model = nnkit.Sequential([
        nnkit.Input(shape=(x_train.shape[1],)),
        layers.Dense(args.units),
        Antirectifier(),
        layers.Dropout(0.1),
        layers.Dense(2, activation="softmax"),
    ])
    model.compile(loss="sparse_categorical_crossentropy",
                  optimizer=nnkit.optimizers.RMSprop(), metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs,
              validation_split=0.15, verbose=0)
    seconds = time.perf_counter() - start
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"{args.domain}: {len(names)} features, {len(x_train)} training reviews")
    print(f"test loss {loss:.4f}, test accuracy {accuracy:.3f}, "
          f"training {seconds:.1f} s ({args.epochs} epochs)")


if __name__ == "__main__":
    main()
