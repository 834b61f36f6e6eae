"""A top-k gated mixture of experts on the four Amazon domains' bag-of-words (CSR input).

Every review of books, dvd, electronics and kitchen (LXMLS split: 1600 train / 400 test each)
becomes a row of n-gram counts over the union of the four vocabularies, kept as a SciPy CSR
matrix. Each expert is a small MLP ``Dense(h, relu) → Dense(2, softmax)``; the gate is a
``Dense(E)`` followed by ``TopKSoftmax(k)``, so each review is sent to its k best experts and
the prediction is the gate-weighted mixture of their class probabilities. One MLP with about
the same number of parameters is trained beside it. Prints the test accuracy per domain of
both models and, per domain, how much each expert is used (mean gate weight and how often it
is among the top k).

    python examples/amazon_experts.py
    python examples/amazon_experts.py --experts 8 --top-k 2
"""
import argparse
import time

import numpy as np

import nnkit
from nnkit.datasets import amazon_reviews


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--experts", type=int, default=4, help="number of experts E")
    parser.add_argument("--top-k", type=int, default=2, help="experts used per review")
    parser.add_argument("--expert-hidden", type=int, default=8, help="hidden size h of an expert")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", default=None,
                        help="processed_acl folder (default: $NNKIT_DATA_DIR or download)")
    parser.add_argument("--backend", choices=["numpy", "cupy"], default="numpy")
    args = parser.parse_args()
    nnkit.backend.set_backend(args.backend)
    return args


def load_domains(path):
    """Train and test CSR matrices over the union vocabulary, labels and each row's domain index."""
    import scipy.sparse
    loaded = {domain: amazon_reviews.load_data(domain, path=path, sparse=True)
              for domain in amazon_reviews.DOMAINS}
    union = {}
    for _, _, names in loaded.values():
        for name in names:
            union.setdefault(name, len(union))
    splits = {"train": ([], [], []), "test": ([], [], [])}
    for index, (domain, ((x_train, y_train), (x_test, y_test), names)) in enumerate(loaded.items()):
        columns = np.array([union[name] for name in names])
        for split, x, y in (("train", x_train, y_train), ("test", x_test, y_test)):
            remapped = scipy.sparse.csr_matrix((x.data, columns[x.indices], x.indptr),
                                               shape=(x.shape[0], len(union)))
            splits[split][0].append(remapped)
            splits[split][1].append(y)
            splits[split][2].append(np.full(len(y), index))
    return {split: (scipy.sparse.vstack(xs, format="csr"), np.concatenate(ys), np.concatenate(ds))
            for split, (xs, ys, ds) in splits.items()}


def experts_model(args, features):
    words = nnkit.Input((features,), sparse=True, name="words")
    gate = nnkit.TopKSoftmax(args.top_k, name="gate")(nnkit.Dense(args.experts, name="gate_logits")(words))
    opinions = [nnkit.Dense(2, activation="softmax", name=f"expert_{e}_out")(
        nnkit.Dense(args.expert_hidden, activation="relu", name=f"expert_{e}")(words))
        for e in range(args.experts)]
    stacked = nnkit.Reshape((args.experts, 2))(nnkit.Concatenate()(opinions))   # (N, E, 2)
    mixture = nnkit.Dot(axes=1, name="mixture")([gate, stacked])                # Σ_e g_e p_e
    return nnkit.Model(words, mixture, name="experts")


def mlp_model(args, features, parameters):
    hidden = max(1, round(parameters / (features + 3)))
    return nnkit.Sequential([nnkit.Dense(hidden, activation="relu", input_shape=(features,)),
                             nnkit.Dense(2, activation="softmax")], name="mlp")


def train(model, args, data):
    nnkit.set_seed(args.seed)
    model.compile(nnkit.optimizers.Adam(args.learning_rate), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    x, y, _ = data["train"]
    start = time.perf_counter()
    model.fit(x, y, batch_size=args.batch_size, epochs=args.epochs, verbose=0)
    seconds = time.perf_counter() - start
    x_test, y_test, domain = data["test"]
    right = model.predict(x_test).argmax(axis=1) == y_test
    per_domain = [float(right[domain == i].mean()) for i in range(len(amazon_reviews.DOMAINS))]
    print(f"{model.name}: {model.count_params():,} parameters, {seconds:.1f} s training; test "
          f"accuracy {right.mean():.4f}; " + ", ".join(
              f"{name} {acc:.3f}" for name, acc in zip(amazon_reviews.DOMAINS, per_domain)))
    return per_domain


def expert_usage(model, args, data):
    x_test, _, domain = data["test"]
    gate_model = nnkit.Model(model.inputs, model.get_layer("gate").output)
    weights = gate_model.predict(x_test)
    print("\nexpert use per domain (test reviews): mean gate weight / share of reviews "
          "routed to the expert")
    print("domain".ljust(12) + "".join(f"expert {e}".rjust(16) for e in range(args.experts)))
    for index, name in enumerate(amazon_reviews.DOMAINS):
        rows = weights[domain == index]
        print(name.ljust(12) + "".join(f"{rows[:, e].mean():.2f} / {(rows[:, e] > 0).mean():.2f}"
                                       .rjust(16) for e in range(args.experts)))


def main():
    args = parse_args()
    data = load_domains(args.data)
    features = data["train"][0].shape[1]
    print(f"{data['train'][0].shape[0]} training and {data['test'][0].shape[0]} test reviews, "
          f"{features:,} features (union of the four vocabularies)")
    experts = experts_model(args, features)
    train(experts, args, data)
    train(mlp_model(args, features, experts.count_params()), args, data)
    expert_usage(experts, args, data)


if __name__ == "__main__":
    main()
