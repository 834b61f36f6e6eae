"""Conv1D at the IMDB CNN's shapes, nnkit vs PyTorch, training and inference.

    python benchmarks/conv1d_imdb.py [--shapes 32x400,128x400] [--rounds 3]

Each shape runs nnkit and PyTorch in fresh processes (2 threads each), alternating over
``--rounds`` rounds; a round's figure is the median of 7 timed calls after 2 warm-ups, and
the best round is kept per framework (bursts of load from other processes spoil a round,
not the result). Prints milliseconds per batch and the ratio PyTorch / nnkit (> 1: nnkit
is faster).
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import common  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shapes", default="32x400,128x400")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    worker = os.path.join(HERE, "conv1d_worker.py")
    print(f"{'shape (N x T)':>14} {'kind':>6} {'nnkit ms':>9} {'torch ms':>9} {'torch/nnkit':>12}")
    for shape in args.shapes.split(","):
        batch, steps = (int(v) for v in shape.split("x"))
        best = {}
        for _ in range(args.rounds):
            for framework in ("nnkit", "torch"):
                result = common.run_worker(worker, [framework, "--batch", batch, "--steps", steps])
                for kind in ("train", "infer"):
                    value = common.median(result[f"{kind}_s"])
                    key = (framework, kind)
                    best[key] = min(best.get(key, value), value)
        for kind in ("train", "infer"):
            ours, theirs = best[("nnkit", kind)], best[("torch", kind)]
            print(f"{shape:>14} {kind:>6} {ours * 1e3:9.2f} {theirs * 1e3:9.2f} "
                  f"{theirs / ours:12.2f}")


if __name__ == "__main__":
    main()
