"""Workload B: the LXMLS MLP on Amazon books reviews, nnkit (CSR input) vs PyTorch.

    python benchmarks/mlp_lxmls.py [--reps 5]

13989 → Dense(20, sigmoid) → Dense(2, softmax), SGD lr 0.01, batch 5, 5 epochs over
the 1,600 LXMLS training reviews (shuffled each epoch). Total training time, median
of ``--reps`` runs after one warm-up, each framework in its own fresh process with 2
threads. nnkit trains on the SciPy CSR matrix (``fit`` with a CSR ``x``) and, for
reference, on the dense matrix; PyTorch on a sparse COO tensor (``torch.sparse.mm``,
its sparse input path: the issue's reference) and on a dense float32 tensor (the usual
way; ``--skip-torch-sparse`` runs only this one). The data come from
``nnkit.datasets.amazon_reviews.load_data("books")`` ($NNKIT_DATA_DIR, default
../shared/data); ``--synthetic`` uses a random CSR of the same shape and density.
"""
import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import common  # noqa: E402

HIDDEN, LR, BATCH, EPOCHS = 20, 0.01, 5, 5


def load(synthetic):
    """``(x_train CSR float32, y_train int64, source)``."""
    import numpy as np
    import scipy.sparse
    if not synthetic:
        os.environ.setdefault("NNKIT_DATA_DIR", os.path.join(HERE, "..", "..", "shared", "data"))
        try:
            from nnkit.datasets import amazon_reviews
            (x, y), _, _ = amazon_reviews.load_data("books")
            return scipy.sparse.csr_matrix(x, dtype=np.float32), np.asarray(y, np.int64), "books"
        except Exception as error:  # missing data: fall back, and say so
            print(f"amazon_reviews.load_data failed ({error}); using synthetic data",
                  file=sys.stderr)
    rng = np.random.default_rng(0)
    x = scipy.sparse.random(1600, 13989, density=0.0092, format="csr", dtype=np.float32,
                            random_state=rng, data_rvs=lambda n: rng.integers(1, 4, n))
    return x, rng.integers(0, 2, 1600), "synthetic"


def nnkit_worker(args):
    import nnkit
    x, y, source = load(args.synthetic)
    data = x if args.input == "sparse" else x.toarray()

    def train():
        nnkit.set_seed(1)
        model = nnkit.Sequential([
            nnkit.Dense(HIDDEN, activation="sigmoid", input_shape=(x.shape[1],)),
            nnkit.Dense(2, activation="softmax")])
        model.compile(nnkit.optimizers.SGD(LR), "sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        history = model.fit(data, y, batch_size=BATCH, epochs=EPOCHS, verbose=0)
        return history.history["accuracy"][-1]

    accuracy = train()
    common.emit({"framework": "nnkit", "input": args.input, "source": source,
                 "train_accuracy": accuracy, "seconds": common.timed_reps(train, args.reps)})


def torch_worker(args):
    import numpy as np
    import torch
    torch.set_num_threads(int(common.THREADS))
    x, y, source = load(args.synthetic)
    if args.input == "sparse":
        coo = x.tocoo()       # COO: PyTorch's CSR tensors have no index_select on the CPU
        data = torch.sparse_coo_tensor(torch.from_numpy(np.vstack([coo.row, coo.col]).astype(
            np.int64)), torch.from_numpy(coo.data), size=x.shape).coalesce()
    else:
        data = torch.from_numpy(x.toarray())
    labels = torch.from_numpy(y)

    def train():
        torch.manual_seed(1)
        first, second = torch.nn.Linear(x.shape[1], HIDDEN), torch.nn.Linear(HIDDEN, 2)
        params = list(first.parameters()) + list(second.parameters())
        optimizer = torch.optim.SGD(params, lr=LR)
        correct = 0
        for _ in range(EPOCHS):
            order = torch.randperm(x.shape[0])
            correct = 0
            for start in range(0, x.shape[0], BATCH):
                index = order[start:start + BATCH]
                xb = data.index_select(0, index) if args.input == "sparse" else data[index]
                product = (torch.sparse.mm(xb, first.weight.T) if args.input == "sparse"
                           else xb @ first.weight.T)
                hidden = torch.sigmoid(product + first.bias)
                logits = second(hidden)
                loss = torch.nn.functional.cross_entropy(logits, labels[index])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                correct += int((logits.argmax(1) == labels[index]).sum())
        return correct / x.shape[0]

    accuracy = train()
    common.emit({"framework": "torch", "input": args.input, "source": source,
                 "train_accuracy": accuracy, "seconds": common.timed_reps(train, args.reps)})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--synthetic", action="store_true")
    parser.add_argument("--skip-torch-sparse", action="store_true",
                        help="skip PyTorch on a sparse COO tensor (the slowest run, ~15 s)")
    parser.add_argument("--worker", choices=("nnkit", "torch"))
    parser.add_argument("--input", choices=("sparse", "dense"), default="sparse")
    args = parser.parse_args()
    if args.worker == "nnkit":
        return nnkit_worker(args)
    if args.worker == "torch":
        return torch_worker(args)
    extra = ["--reps", args.reps] + (["--synthetic"] if args.synthetic else [])
    results = {}
    runs = [("nnkit", "sparse"), ("torch", "dense"), ("nnkit", "dense")]
    for framework, kind in runs + ([] if args.skip_torch_sparse else [("torch", "sparse")]):
        try:
            result = common.run_worker(__file__, extra + ["--worker", framework, "--input", kind])
        except RuntimeError as error:
            print(f"{framework} {kind}: failed ({str(error).splitlines()[-1]})")
            continue
        results[framework, kind] = result
        print(f"{framework:<6} {kind:<7} {common.median(result['seconds']):7.3f} s "
              f"(median of {len(result['seconds'])}, data {result['source']}, final train "
              f"accuracy {result['train_accuracy']:.3f})", flush=True)
    ours = results.get(("nnkit", "sparse"))
    for kind, note in (("sparse", " (the issue's reference path; target <= 0.2)"), ("dense", "")):
        theirs = results.get(("torch", kind))
        if ours and theirs:
            ratio = common.median(ours["seconds"]) / common.median(theirs["seconds"])
            print(f"nnkit CSR / PyTorch {kind} = {ratio:.3f} of PyTorch's time{note}")


if __name__ == "__main__":
    main()
