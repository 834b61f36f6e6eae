"""Attention on the CPU: nnkit vs PyTorch's nn.MultiheadAttention and nn.TransformerEncoderLayer.

    python benchmarks/attention.py [--shapes 32x128x64x4,8x512x64x4]
        [--encoder-shapes 32x128x64x4,32x256x128x4] [--reps 7] [--rounds 3]
        [--torch-python /tmp/torchvenv/bin/python]

Self-attention on the same float32 data ``x (N, T, D)``, ``heads`` heads of width D/heads
(equal work: four D×D projections, the ``N·heads·T²`` scores, their softmax and the
weighted sum), loss ``Σ g ⊙ y``, backward to the input and every weight. Each framework
runs in its own fresh process with 2 threads; times are medians of ``--reps`` steps after
one warm-up, and each shape runs ``--rounds`` alternating pairs of such processes (nnkit,
PyTorch, nnkit, ...), so that a drift in a shared host's speed reaches both: the figures
are the medians over the rounds, the ratio PyTorch ÷ nnkit each round's, as median and range.
PyTorch is called with ``need_weights=False`` (its fused scaled-dot-product kernel, its
fastest CPU path). Memory: the peak resident set size a fresh process adds during one
training step at each shape (nnkit keeps for backward the projected heads, the attention
weights ``N·heads·T²`` and the concatenated heads; in inference its compiled kernel keeps
no weights, a block of 48 query rows at a time).
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


def alternating(shape, reps, rounds, torch_python, block):
    """``(nnkit results, PyTorch results)``: ``rounds`` pairs of fresh workers, nnkit then PyTorch,
    so a drift in the machine's speed (a shared host) reaches both alike."""
    worker_args = ["--shape", shape, "--reps", reps, "--block", block]
    ours, theirs = [], []
    for _ in range(rounds):
        ours.append(run_in(sys.executable, ["--worker", "nnkit"] + worker_args))
        theirs.append(run_in(torch_python, ["--worker", "torch"] + worker_args))
    return ours, theirs


def summary(ours, theirs, key):
    """``(nnkit ms, PyTorch ms, median ratio, lowest ratio, highest ratio)`` over the rounds:
    each round's medians, and the ratio PyTorch ÷ nnkit of each round."""
    mine = [common.median(result[key]) for result in ours]
    other = [common.median(result[key]) for result in theirs]
    ratios = [b / a for a, b in zip(mine, other)]
    return (1000 * common.median(mine), 1000 * common.median(other), common.median(ratios),
            min(ratios), max(ratios))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", default="32x128x64x4,8x512x64x4",
                        help="comma-separated NxTxDxHEADS")
    parser.add_argument("--encoder-shapes", default="32x128x64x4,32x256x128x4",
                        help="comma-separated NxTxDxHEADS of the encoder block ('' for none)")
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternating nnkit / PyTorch worker pairs per shape")
    parser.add_argument("--torch-python", default="/tmp/torchvenv/bin/python")
    parser.add_argument("--worker", choices=("nnkit", "torch"), help=argparse.SUPPRESS)
    parser.add_argument("--shape", help=argparse.SUPPRESS)
    parser.add_argument("--block", choices=("mha", "encoder"), default="mha",
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    print(f"load average {os.getloadavg()[0]:.2f} over 1 min (figures are noisy above ~0.5); "
          f"medians of {args.reps} steps per worker, {args.rounds} alternating rounds: "
          f"median of the rounds, ratio PyTorch / nnkit as median [lowest, highest] round")
    machine_shown = False
    runs = [(shape, "mha") for shape in filter(None, args.shapes.split(","))] + \
        [(shape, "encoder") for shape in filter(None, args.encoder_shapes.split(","))]
    for shape, block in runs:
        ours, theirs = alternating(shape, args.reps, args.rounds, args.torch_python, block)
        if not machine_shown:
            print(ours[0]["machine"])
            machine_shown = True
        steps = ("seconds",) if block == "mha" else ("train", "infer")
        for step in steps:
            mine, other, ratio, low, high = summary(ours, theirs, step)
            what = "forward+backward" if block == "mha" else f"encoder block {step}"
            line = (f"{shape:>14} {what}: nnkit {mine:7.1f} ms, PyTorch {other:7.1f} ms; "
                    f"PyTorch / nnkit = {ratio:.2f}x [{low:.2f}, {high:.2f}]")
            if block == "mha":
                line += (f"; peak memory added nnkit {ours[0]['peak_mib']:.0f} MiB, "
                         f"PyTorch {theirs[0]['peak_mib']:.0f} MiB")
            print(line)


if __name__ == "__main__":
    main()
