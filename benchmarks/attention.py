"""MultiHeadAttention forward + backward: nnkit vs PyTorch's ``nn.MultiheadAttention`` (CPU).

    python benchmarks/attention.py [--shapes 32x128x64x4,8x512x64x4] [--reps 7]
        [--torch-python /tmp/torchvenv/bin/python]

Self-attention on the same float32 data ``x (N, T, D)``, ``heads`` heads of width D/heads
(equal work: four D×D projections, the ``N·heads·T²`` scores, their softmax and the
weighted sum), loss ``Σ g ⊙ y``, backward to the input and every weight. Each framework
runs in its own fresh process with 2 threads; times are medians of ``--reps`` steps after
one warm-up. PyTorch is called with ``need_weights=False`` (its fused
scaled-dot-product kernel, its fastest CPU path). Memory: the peak resident set size a
fresh process adds during one training step at each shape (nnkit keeps for backward the
projected heads, the attention weights ``N·heads·T²`` and the concatenated heads).
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
    make = nnkit_step if args.worker == "nnkit" else torch_step
    __import__("nnkit" if args.worker == "nnkit" else "torch")    # imports are not counted
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
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--torch-python", default="/tmp/torchvenv/bin/python")
    parser.add_argument("--worker", choices=("nnkit", "torch"), help=argparse.SUPPRESS)
    parser.add_argument("--shape", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    print(f"load average {os.getloadavg()[0]:.2f} over 1 min (figures are noisy above ~0.5)")
    machine_shown = False
    for shape in args.shapes.split(","):
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


if __name__ == "__main__":
    main()
