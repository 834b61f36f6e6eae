"""Data-parallel fit over MPI: time per epoch and bytes all-reduced per step, 1 and 2 ranks.

    python benchmarks/distributed.py [--examples 1024] [--maxlen 100] [--batch 64] [--epochs 3]

Launches ``mpiexec -n K`` (K = 1, 2; one BLAS/OpenMP thread per rank) on the IMDB model
(Embedding(10000, 128, mask_zero) → LSTM(128) → masked mean → Dense(2, softmax)) with
IMDB-like ragged batches (``common.imdb_like``), ``shuffle="bucket"``. Reports the median
epoch time after the first, the speed-up and efficiency of 2 ranks, the bytes each rank
all-reduces per step (the fused gradient buffer, the Embedding's row-sparse part, the
normalisers and metric sums) and the computation per step, for the model in
``benchmarks/README.md`` ("Data parallel").
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import common  # noqa: E402


class EpochTimer:
    """A callback recording each epoch's wall time."""

    def __new__(cls):
        import nnkit

        class Timer(nnkit.callbacks.Callback):
            def on_train_begin(self, logs=None):
                self.times = []

            def on_epoch_begin(self, epoch, logs=None):
                self.start = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                self.times.append(time.perf_counter() - self.start)
        return Timer()


def worker(args):
    import nnkit
    parallel = nnkit.distributed.DataParallel()
    nnkit.set_seed(0)
    x, _, y = common.imdb_like(args.examples, args.maxlen)
    model = nnkit.Sequential([nnkit.Embedding(common.VOCAB, common.EMBED, mask_zero=True),
                              nnkit.LSTM(common.HIDDEN, return_sequences=True),
                              nnkit.GlobalAveragePooling1D(),
                              nnkit.Dense(common.CLASSES, activation="softmax")])
    model.compile(nnkit.optimizers.Adam(1e-3), "sparse_categorical_crossentropy")
    timer = EpochTimer()
    model.fit(x, y, batch_size=args.batch, epochs=args.epochs, verbose=0, shuffle="bucket",
              callbacks=[timer], distribute=parallel)
    steps = args.epochs * -(-args.examples // args.batch)
    if parallel.is_chief:
        print(json.dumps({"epoch_seconds": common.median(timer.times[1:] or timer.times),
                          "bytes_per_step": parallel.bytes_sent / steps,
                          "parameters": sum(w.size for w in model.get_weights())}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=1024)
    parser.add_argument("--maxlen", type=int, default=100)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    mpiexec = shutil.which("mpiexec", path=os.path.dirname(sys.executable) + os.pathsep +
                           os.environ.get("PATH", ""))
    results = {}
    for ranks in (1, 2):
        done = subprocess.run([mpiexec, "-n", str(ranks), sys.executable, __file__, "--worker",
                               *sys.argv[1:]], capture_output=True, text=True, check=True,
                              env=dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
                                       MKL_NUM_THREADS="1"))
        results[ranks] = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"{ranks} rank(s): {results[ranks]['epoch_seconds']:.2f} s per epoch, "
              f"{results[ranks]['bytes_per_step'] / 1e6:.2f} MB all-reduced per step per rank",
              flush=True)
    speedup = results[1]["epoch_seconds"] / results[2]["epoch_seconds"]
    print(f"2 ranks: {speedup:.2f}x the speed of 1 ({100 * speedup / 2:.0f} % efficiency); "
          f"model {results[1]['parameters']} parameters "
          f"({4 * results[1]['parameters'] / 1e6:.1f} MB as float32); compute per step on one "
          f"rank {1000 * results[1]['epoch_seconds'] / -(-args.examples // args.batch):.1f} ms")


if __name__ == "__main__":
    main()
