"""Peak memory of IMDB-LSTM training at batch 64, maxlen 200: nnkit vs PyTorch.

    python benchmarks/memory.py [--steps 8]

Each framework trains ``--steps`` batches in a fresh process; the process reports its
peak resident set size (``ru_maxrss``) before training (after imports, data and model)
and after. Both numbers are given: the peak includes the libraries themselves
(PyTorch's import alone is several hundred MiB), the increase is what training adds.
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import common  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--maxlen", type=int, default=200)
    args = parser.parse_args()
    shape = ["--batch", args.batch, "--maxlen", args.maxlen, "--seqs", args.batch * args.steps,
             "--mode", "memory", "--steps", args.steps]
    runs = [("nnkit", "lstm_nnkit_worker.py", [])] + [
        (f"PyTorch {variant}", "lstm_torch_worker.py", ["--variants", variant])
        for variant in ("padded", "packed")]
    results = {}
    for label, script, extra in runs:
        result = common.run_worker(os.path.join(HERE, script), shape + extra)
        results[label] = result
        print(f"{label:<15} peak RSS {result['peak_rss_mib']:7.1f} MiB  (before training "
              f"{result['rss_before_mib']:6.1f} MiB, training adds "
              f"{result['peak_rss_mib'] - result['rss_before_mib']:6.1f} MiB; {args.steps} "
              f"steps in {result['seconds']:.2f} s)", flush=True)
    ours = results["nnkit"]["peak_rss_mib"]
    theirs = min(results[k]["peak_rss_mib"] for k in results if k.startswith("PyTorch"))
    print(f"\nnnkit peak / PyTorch's smaller peak = {ours / theirs:.2f} (target <= 2)")


if __name__ == "__main__":
    main()
