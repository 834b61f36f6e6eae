"""What the profiler costs: IMDB-model fits with ``profile=True`` and without, alternating.

    python benchmarks/profiler_overhead.py [--rounds 7] [--rows 1024] [--batch 32] [--maxlen 400]

The IMDB example's model (Embedding(10000, 128) → LSTM(128) → masked mean → Dense(2),
Adadelta) at the example's batch and length on IMDB-like synthetic rows (lengths uniform
in [10, maxlen]), one epoch with ``shuffle="bucket"`` per fit, in one process. Prints the
median seconds of each and their ratio, and what a section costs when no profile runs
(the null context's enter and exit, timed a million times) times the sections a fit enters.
"""
import argparse
import contextlib
import io
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import nnkit  # noqa: E402  (first: OpenBLAS starts under nnkit's thread policy)
import common  # noqa: E402
from lstm_nnkit_worker import build  # noqa: E402
from nnkit import profiling  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--rows", type=int, default=1024)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--maxlen", type=int, default=400)
    args = parser.parse_args()
    ids, _, labels = common.imdb_like(args.rows, args.maxlen)
    nnkit.set_seed(0)
    model = build()

    def fit(profile):
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):      # the table printed after the fit
            history = model.fit(ids, labels, batch_size=args.batch, epochs=1, shuffle="bucket",
                                verbose=0, profile=profile)
        return time.perf_counter() - start, history

    fit(False)
    seconds = {False: [], True: []}
    for _ in range(args.rounds):
        for profile in (False, True):
            elapsed, history = fit(profile)
            seconds[profile].append(elapsed)
    off, on = common.median(seconds[False]), common.median(seconds[True])
    calls = sum(c for *_, c in history.profile.rows())
    start = time.perf_counter()
    for _ in range(1_000_000):
        with profiling.section("forward", "x"):
            pass
    null = (time.perf_counter() - start) / 1e6
    print(f"fit without profile {off:.3f} s, with profile {on:.3f} s (median of {args.rounds}): "
          f"on/off = {on / off:.3f}")
    print(f"a section with no profile running: {null * 1e9:.0f} ns; {calls} sections a fit: "
          f"{null * calls * 1e3:.2f} ms of {off * 1e3:.0f} ms ({null * calls / off * 100:.3f} %)")


if __name__ == "__main__":
    main()
