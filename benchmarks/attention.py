"""Attention on the CPU: nnkit vs PyTorch's nn.MultiheadAttention and nn.TransformerEncoderLayer.

    python benchmarks/attention.py [--shapes 32x128x64x4,8x512x64x4]
        [--encoder-shapes 32x128x64x4,32x256x128x4] [--reps 7]
        [--torch-python /tmp/torchvenv/bin/python]

Self-attention on the same float32 data ``x (N, T, D)``, ``heads`` heads of width D/heads
(equal work: four D×D projections, the ``N·heads·T²`` scores, their softmax and the
weighted sum), loss ``Σ g ⊙ y``, backward to the input and every weight. Each framework
runs in its own fresh process with 2 threads; times are medians of ``--reps`` steps after
one warm-up. PyTorch is called with ``need_weights=False`` (its fused
scaled-dot-product kernel, its fastest CPU path). Memory: the peak resident set size a
fresh process adds during one training step at each shape (nnkit keeps for backward the
projected heads, the attention weights ``N·heads·T²`` and the concatenated heads).
Encoder block (``--encoder-shapes``): nnkit's ``TransformerEncoder(2·D, heads)`` against
``nn.TransformerEncoderLayer(D, heads, 2·D, dropout=0, batch_first=True)`` (both post-norm,
relu): a training step (forward + backward to the input and every weight, loss ``Σ g ⊙ y``)
and an inference step (nnkit ``training=False``; PyTorch ``eval()`` under ``inference_mode``,
its fused encoder fast path).
PyTorch runs in a separate virtual environment (``python -m venv /tmp/torchvenv &&
/tmp/torchvenv/bin/pip install torch numpy``).
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import common  # noqa: E402


def nnkit_step(n, t, d, heads, seed=0):
    """A function running one forward + backward of nnkit's MultiHeadAttention."""
    import numpy as np
    import nnkit
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, t, d)).astype("float32")
    g = rng.normal(size=(n, t, d)).astype("float32")
    layer = nnkit.MultiHeadAttention(heads, d // heads)
    layer(x[:1], x[:1])

    def step():
        layer.zero_grads()
        layer(x, x, training=True)
        layer.backward(g)
    return step


def nnkit_encoder_steps(n, t, d, heads, seed=0):
    """``(train, infer)`` functions of nnkit's TransformerEncoder(2·D, heads) at (N, T, D)."""
    import numpy as np
    import nnkit
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, t, d)).astype("float32")
    g = rng.normal(size=(n, t, d)).astype("float32")
    layer = nnkit.layers.TransformerEncoder(2 * d, heads)
    layer(x[:1])

    def train():
        layer.zero_grads()
        layer(x, training=True)
        layer.backward(g)
    return train, lambda: layer(x)


def torch_step(n, t, d, heads, seed=0):
    """A function running one forward + backward of PyTorch's nn.MultiheadAttention."""
    import numpy as np
    import torch
    torch.set_num_threads(int(common.THREADS))
    rng = np.random.default_rng(seed)
    x = torch.tensor(rng.normal(size=(n, t, d)).astype("float32"), requires_grad=True)
    g = torch.tensor(rng.normal(size=(n, t, d)).astype("float32"))
    layer = torch.nn.MultiheadAttention(d, heads, batch_first=True)

    def step():
        layer.zero_grad(set_to_none=False)
        x.grad = None
        y, _ = layer(x, x, x, need_weights=False)
        (y * g).sum().backward()
    return step


def torch_encoder_steps(n, t, d, heads, seed=0):
    """``(train, infer)`` functions of PyTorch's TransformerEncoderLayer at (N, T, D)."""
    import numpy as np
    import torch
    torch.set_num_threads(int(common.THREADS))
    rng = np.random.default_rng(seed)
    x = torch.tensor(rng.normal(size=(n, t, d)).astype("float32"), requires_grad=True)
    g = torch.tensor(rng.normal(size=(n, t, d)).astype("float32"))
    layer = torch.nn.TransformerEncoderLayer(d, heads, 2 * d, dropout=0.0, batch_first=True)

    def train():
        layer.train()
        layer.zero_grad(set_to_none=False)
        x.grad = None
        (layer(x) * g).sum().backward()

    def infer():
        layer.eval()
        with torch.inference_mode():
            layer(x)
    return train, infer


def run_in(python, args):
    """The JSON result of this script run as a worker by interpreter ``python`` (2 threads;
    ``common.run_worker`` always uses this interpreter, PyTorch lives in another)."""
    done = subprocess.run([python, __file__] + [str(a) for a in args], env=common.thread_env(),
                          capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"{python} worker {args} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def worker(args):
    """Time one framework at ``args.shape`` in this process; print the JSON result."""
    sys.path.insert(0, os.path.dirname(HERE))
    n, t, d, heads = (int(v) for v in args.shape.split("x"))
    __import__("nnkit" if args.worker == "nnkit" else "torch")    # imports are not counted
    if args.block == "encoder":
        make = nnkit_encoder_steps if args.worker == "nnkit" else torch_encoder_steps
        train, infer = make(n, t, d, heads)
        common.emit({"train": common.timed_reps(train, args.reps, warmup=3),
                     "infer": common.timed_reps(infer, args.reps, warmup=3),
                     "machine": common.machine() if args.worker == "nnkit" else ""})
        return
    make = nnkit_step if args.worker == "nnkit" else torch_step
    before = common.peak_rss_mib()
    step = make(n, t, d, heads)
    step()
    memory = common.peak_rss_mib() - before
    common.emit({"seconds": common.timed_reps(step, args.reps), "peak_mib": memory,
                 "machine": common.machine() if args.worker == "nnkit" else ""})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", default="32x128x64x4,8x512x64x4",
                        help="comma-separated NxTxDxHEADS")
    parser.add_argument("--encoder-shapes", default="32x128x64x4,32x256x128x4",
                        help="comma-separated NxTxDxHEADS of the encoder block ('' for none)")
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--torch-python", default="/tmp/torchvenv/bin/python")
    parser.add_argument("--worker", choices=("nnkit", "torch"), help=argparse.SUPPRESS)
    parser.add_argument("--shape", help=argparse.SUPPRESS)
    parser.add_argument("--block", choices=("mha", "encoder"), default="mha",
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    print(f"load average {os.getloadavg()[0]:.2f} over 1 min (figures are noisy above ~0.5)")
    machine_shown = False
    for shape in filter(None, args.shapes.split(",")):
        worker_args = ["--shape", shape, "--reps", args.reps]
        ours = run_in(sys.executable, ["--worker", "nnkit"] + worker_args)
        theirs = run_in(args.torch_python, ["--worker", "torch"] + worker_args)
        if not machine_shown:
            print(ours["machine"])
            machine_shown = True
        mine, other = common.median(ours["seconds"]), common.median(theirs["seconds"])
        print(f"{shape:>14} (N x T x D x heads): nnkit {1000 * mine:7.1f} ms, PyTorch "
              f"{1000 * other:7.1f} ms per forward+backward; PyTorch / nnkit = "
              f"{other / mine:.2f}x; peak memory added nnkit {ours['peak_mib']:.0f} MiB, "
              f"PyTorch {theirs['peak_mib']:.0f} MiB")
    for shape in filter(None, args.encoder_shapes.split(",")):
        worker_args = ["--shape", shape, "--reps", args.reps, "--block", "encoder"]
        ours = run_in(sys.executable, ["--worker", "nnkit"] + worker_args)
        theirs = run_in(args.torch_python, ["--worker", "torch"] + worker_args)
        if not machine_shown:
            print(ours["machine"])
            machine_shown = True
        for step in ("train", "infer"):
            mine, other = common.median(ours[step]), common.median(theirs[step])
            print(f"{shape:>14} encoder block {step}: nnkit {1000 * mine:7.1f} ms, PyTorch "
                  f"{1000 * other:7.1f} ms; PyTorch / nnkit = {other / mine:.2f}x")


if __name__ == "__main__":
    main()
