"""One framework's side of the Conv1D benchmark (run by conv1d_imdb.py; prints JSON).

Keras's IMDB CNN convolution: Conv1D(250 filters, kernel 3, valid, relu) over ``(N, T, 50)``
embeddings, float32, 2 threads. nnkit runs channels last ``(N, T, D)`` (Keras's layout);
PyTorch runs ``nn.Conv1d`` on its own layout ``(N, D, T)``. Training = forward + backward
(input and weight gradients); inference = forward only.

    python benchmarks/conv1d_worker.py nnkit|torch --batch 32 --steps 400
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

import numpy as np  # noqa: E402

EMBED, FILTERS, KERNEL = 50, 250, 3


def nnkit_runs(x, dy):
    import nnkit
    layer = nnkit.Conv1D(FILTERS, KERNEL, activation="relu")
    layer.build(x.shape[1:])

    def train():
        layer(x, training=True)
        layer.backward(dy)

    return train, lambda: layer(x)


def torch_runs(x, dy):
    import torch
    torch.set_num_threads(int(common.THREADS))
    conv = torch.nn.Conv1d(EMBED, FILTERS, KERNEL)
    xt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 2, 1))).requires_grad_(True)
    dyt = torch.from_numpy(np.ascontiguousarray(dy.transpose(0, 2, 1)))

    def train():
        torch.relu(conv(xt)).backward(dyt)

    def infer():
        with torch.no_grad():
            torch.relu(conv(xt))

    return train, infer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("framework", choices=("nnkit", "torch"))
    parser.add_argument("--batch", type=int, required=True)
    parser.add_argument("--steps", type=int, required=True)
    parser.add_argument("--reps", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(args.batch, args.steps, EMBED)).astype("float32")
    dy = rng.normal(size=(args.batch, args.steps - KERNEL + 1, FILTERS)).astype("float32")
    train, infer = (nnkit_runs if args.framework == "nnkit" else torch_runs)(x, dy)
    common.emit({"train_s": common.timed_reps(train, args.reps, warmup=2),
                 "infer_s": common.timed_reps(infer, args.reps, warmup=2)})


if __name__ == "__main__":
    main()
