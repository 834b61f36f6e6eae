"""Workload A: the IMDB LSTM (or GRU), nnkit vs PyTorch, training and inference throughput.

    python benchmarks/lstm_imdb.py [--shapes 16x100,64x100,16x200,64x200] [--reps 5] [--cell gru]

Each (batch, maxlen) runs nnkit and PyTorch in separate fresh processes (2 threads
each) on the same synthetic right-padded batches (lengths uniform in [10, maxlen]).
Times are medians of ``--reps`` passes over the data after one warm-up pass, best of
``--rounds`` alternating rounds (a burst of load from another process spoils a round,
not the result); rates count real (non-padding) tokens. PyTorch's figure is its fastest of padded and packed.
"Bucketed" rows compare equal work, both frameworks on the same batches, each trimmed to
its longest row (PyTorch's fastest of padded and packed): training on the batches of
nnkit's ``fit(shuffle="bucket")`` (similar lengths), inference on those of nnkit's
``predict`` (all rows longest first, cut into batches), which nnkit's "infer" row uses too.
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import common  # noqa: E402


def rates(seconds, result):
    t = common.median(seconds)
    return result["seqs"] / t, result["tokens"] / t


def best_round(results):
    """Per timing key, the round whose median is lowest (guards against bursts of load
    from other processes on a shared machine)."""
    merged = dict(results[0])
    for key in merged:
        if key.endswith("_s"):
            merged[key] = min((r[key] for r in results), key=common.median)
    return merged


def best(result, kind, variants):
    """PyTorch's fastest variant for ``kind`` ("train"/"infer"): (name, median seconds)."""
    timed = {v: common.median(result[f"{kind}_{v}_s"]) for v in variants
             if f"{kind}_{v}_s" in result}
    name = min(timed, key=timed.get)
    return name, result[f"{kind}_{name}_s"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", default="16x100,64x100,16x200,64x200")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2,
                        help="alternating nnkit/PyTorch rounds; each figure is the best "
                             "round's median")
    parser.add_argument("--cell", choices=("lstm", "gru"), default="lstm",
                        help="benchmark the LSTM (default) or the GRU against torch's nn.GRU")
    parser.add_argument("--batches", type=int, default=0,
                        help="batches per pass (default: 16 at batch 16, 8 at batch 64)")
    args = parser.parse_args()
    print(common.machine(), flush=True)
    rows = []
    for shape in args.shapes.split(","):
        batch, maxlen = (int(v) for v in shape.split("x"))
        seqs = batch * (args.batches or (16 if batch <= 16 else 8))
        common_args = ["--batch", batch, "--maxlen", maxlen, "--seqs", seqs, "--reps", args.reps,
                       "--cell", args.cell]
        our_rounds, their_rounds = [], []
        for _ in range(args.rounds):                    # alternate the two frameworks
            our_rounds.append(common.run_worker(os.path.join(HERE, "lstm_nnkit_worker.py"),
                                                common_args + ["--bucket"]))
            their_rounds.append(common.run_worker(os.path.join(HERE, "lstm_torch_worker.py"),
                                                  common_args))
        ours, theirs = best_round(our_rounds), best_round(their_rounds)
        for label, our_times, kind, variants in (
                ("train", ours["train_s"], "train", ("padded", "packed")),
                ("infer", ours["infer_s"], "infer", ("padded", "packed")),
                ("train bucketed", ours["train_bucket_s"], "train",
                 ("bucket_padded", "bucket_packed")),
                ("infer bucketed", ours["infer_s"], "infer",
                 ("length_padded", "length_packed"))):
            variant, their_times = best(theirs, kind, variants)
            our_seq, our_tok = rates(our_times, ours)
            their_seq, their_tok = rates(their_times, theirs)
            rows.append((f"{batch}x{maxlen}", label, our_seq, our_tok, their_seq, their_tok,
                         variant, our_seq / their_seq))
            print(f"{batch:>3} x {maxlen:<4} {label:<15} nnkit {our_seq:7.0f} seq/s "
                  f"{our_tok:8.0f} tok/s | torch {their_seq:7.0f} seq/s {their_tok:8.0f} tok/s "
                  f"({variant}) | ratio {our_seq / their_seq:4.2f}", flush=True)
    print("\n| batch x maxlen | pass | nnkit seq/s | nnkit tokens/s | PyTorch seq/s | "
          "PyTorch tokens/s | PyTorch variant | nnkit / PyTorch |")
    print("|---|---|---:|---:|---:|---:|---|---:|")
    for shape, label, our_seq, our_tok, their_seq, their_tok, variant, ratio in rows:
        print(f"| {shape} | {label} | {our_seq:.0f} | {our_tok:.0f} | {their_seq:.0f} | "
              f"{their_tok:.0f} | {variant} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
