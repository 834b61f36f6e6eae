"""The recurrent layers' matrix products: nnkit's compiled matmul vs numpy.matmul (OpenBLAS).

    python benchmarks/matmul.py [--reps 20]
    python benchmarks/matmul.py --interleaved [--reps 200]

The shapes of the IMDB LSTM (H = D = 128) at P packed rows: the input projection
``(P, D)·(D, 4H)``, the weight gradient ``(D, P)·(P, 4H)`` (a transposed view) and
``dx = (P, 4H)·(4H, D)`` (a transposed weight view), for P of a (16, 100) and a
(64, 200) batch. Each is timed in its own fresh process with 2 threads
(``benchmarks/common.py``), median of ``--reps`` calls after 3 warm-up calls, so
that OpenBLAS's idle threads never compete with nnkit's.

``--interleaved`` measures the thread policy instead: one process alternates a 2-thread
``numpy.matmul`` (OpenBLAS's threads) with nnkit's compiled product (OpenMP's threads), as
a model with Dense layers and an LSTM does, and prints the spread of each library's
per-call times (median, 90th percentile, worst), once under nnkit's policy and once with
both libraries' default waits (``NNKIT_THREAD_POLICY=0``), each in a fresh process.
"""
import argparse
import os
import sys

import nnkit  # noqa: F401  (before NumPy: OpenBLAS starts under nnkit's thread policy)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import common  # noqa: E402

SHAPES = {"projection": lambda p: ((p, 128), (128, 512), False),
          "weight gradient": lambda p: ((128, p), (p, 512), True),
          "dx": lambda p: ((p, 512), (512, 128), False)}


def worker(args):
    import numpy as np
    a_shape, b_shape, transposed = SHAPES[args.shape](args.rows)
    rng = np.random.default_rng(0)
    a = rng.standard_normal(a_shape[::-1] if transposed else a_shape).astype(np.float32)
    a = a.T if transposed else a
    b = rng.standard_normal(b_shape).astype(np.float32)
    out = np.empty((a_shape[0], b_shape[1]), np.float32)
    if args.library == "nnkit":
        from nnkit.backend import get_backend
        product = get_backend().kernel("matmul")
        assert product is not None, "compiled matmul not built (or not run by this build)"
    else:
        product = np.matmul
    seconds = common.timed_reps(lambda: product(a, b, out=out), args.reps, warmup=3)
    common.emit({"seconds": seconds, "flop": 2 * a_shape[0] * a_shape[1] * b_shape[1]})


def interleaved_worker(args):
    """Alternate numpy.matmul and nnkit's matmul on the projection at P = ``--rows``."""
    import time
    import numpy as np
    from nnkit.backend import get_backend
    compiled = get_backend().kernel("matmul")
    assert compiled is not None, "compiled matmul not built (or not run by this build)"
    a_shape, b_shape, _ = SHAPES["projection"](args.rows)
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal(s).astype(np.float32) for s in (a_shape, b_shape))
    out = np.empty((a_shape[0], b_shape[1]), np.float32)
    times = {"numpy": [], "nnkit": []}
    for rep in range(args.reps + 3):
        for library, product in (("numpy", np.matmul), ("nnkit", compiled)):
            start = time.perf_counter()
            product(a, b, out=out)
            if rep >= 3:
                times[library].append(time.perf_counter() - start)
    common.emit(times)


def spread(seconds):
    ordered = sorted(seconds)
    return (common.median(ordered) * 1e3, ordered[int(0.9 * (len(ordered) - 1))] * 1e3,
            ordered[-1] * 1e3)


def interleaved(args):
    for rows in (887, 6841):
        for policy in ("1", "0"):
            os.environ["NNKIT_THREAD_POLICY"] = policy
            result = common.run_worker(os.path.abspath(__file__),
                                       ["--worker", "--interleaved", "--rows", rows,
                                        "--reps", args.reps])
            for library in ("numpy", "nnkit"):
                median, p90, worst = spread(result[library])
                print(f"P={rows:5d} policy {'nnkit ' if policy == '1' else 'default'} "
                      f"{library:6s} median {median:6.3f} ms  p90 {p90:6.3f} ms  "
                      f"worst {worst:7.3f} ms", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=None)
    parser.add_argument("--interleaved", action="store_true",
                        help="the spread of per-call times with both thread pools in one process")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--library", choices=("nnkit", "numpy"))
    parser.add_argument("--shape", choices=tuple(SHAPES))
    parser.add_argument("--rows", type=int)
    args = parser.parse_args()
    args.reps = args.reps or (200 if args.interleaved else 20)
    if args.worker:
        (interleaved_worker if args.interleaved else worker)(args)
        return
    print(common.machine(), flush=True)
    if args.interleaved:
        interleaved(args)
        return
    for rows in (887, 6841):                 # P of the benchmark's (16, 100) and (64, 200) batches
        for shape in SHAPES:
            rates = {}
            for library in ("nnkit", "numpy"):
                result = common.run_worker(os.path.abspath(__file__),
                                           ["--worker", "--library", library, "--shape", shape,
                                            "--rows", rows, "--reps", args.reps])
                seconds = common.median(result["seconds"])
                rates[library] = result["flop"] / seconds / 1e9
                print(f"P={rows:5d} {shape:16s} {library:6s} {seconds * 1e3:7.3f} ms "
                      f"{rates[library]:5.0f} GFLOP/s", flush=True)
            print(f"P={rows:5d} {shape:16s} nnkit / numpy rate = {rates['nnkit'] / rates['numpy']:.2f}")


if __name__ == "__main__":
    main()
