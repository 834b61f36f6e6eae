"""Shared helpers of the benchmarks: synthetic data, timing, worker subprocesses.

Each benchmark runs every framework in its own fresh subprocess (so one
library's thread pool never competes with the other's) and prints both in
the same run. Workers print one JSON line on stdout.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

THREADS = "2"
VOCAB, EMBED, HIDDEN, CLASSES = 10000, 128, 128, 2


def thread_env():
    """Environment for a worker: 2 BLAS / OpenMP threads, nnkit keeping freed host memory
    (opt-in, ``nnkit/backend/host_memory.py``; ``NNKIT_KEEP_FREED_MEMORY=0`` measures without),
    and OpenBLAS's idle wait as ``import nnkit`` sets it (``nnkit/backend/thread_policy.py``):
    a worker imports NumPy (this module) before nnkit, too late for nnkit to set it."""
    env = dict(os.environ)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = THREADS
    env.setdefault("NNKIT_KEEP_FREED_MEMORY", "1")
    env.setdefault("OPENBLAS_THREAD_TIMEOUT", "16")
    return env


def lstm_worker_parser():
    """The arguments both LSTM workers take (shape, repetitions, speed or memory mode)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, required=True)
    parser.add_argument("--maxlen", type=int, required=True)
    parser.add_argument("--seqs", type=int, required=True)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--mode", choices=("speed", "memory"), default="speed")
    parser.add_argument("--steps", type=int, default=8, help="training steps in memory mode")
    parser.add_argument("--cell", choices=("lstm", "gru"), default="lstm",
                        help="the recurrent layer: LSTM or GRU (Keras 3's reset_after, cuDNN's)")
    return parser


def run_worker(script, args, timeout=1800):
    """Run ``python script args`` in a fresh process and return its JSON result."""
    command = [sys.executable, script] + [str(a) for a in args]
    done = subprocess.run(command, env=thread_env(), capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"worker {' '.join(command)} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def imdb_like(n, maxlen, seed=0):
    """``n`` right-padded rows of token ids in ``[1, VOCAB)``, lengths uniform in ``[10, maxlen]``.

    Returns ``(ids (n, maxlen) int64, lengths (n,), labels (n,))``.
    """
    rng = np.random.default_rng(seed)
    lengths = rng.integers(10, maxlen + 1, size=n)
    ids = rng.integers(1, VOCAB, size=(n, maxlen))
    ids[np.arange(maxlen)[None, :] >= lengths[:, None]] = 0
    labels = rng.integers(0, CLASSES, size=n)
    return ids, lengths, labels


def timed_reps(run, reps, warmup=1):
    """Call ``run()`` ``warmup`` times, then time ``reps`` calls; returns the seconds of each."""
    for _ in range(warmup):
        run()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return times


def machine():
    """The CPU (model name, family/model) and the kernel NumPy's OpenBLAS runs, for a figure's
    caption (OpenBLAS's own ``get_corename``, as threadpoolctl reports it)."""
    import ctypes
    import platform
    import re
    fields = {}
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                fields.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    cpu = f"{fields.get('model name', platform.processor())} (family {fields.get('cpu family', '?')} " \
          f"model {fields.get('model', '?')}), {os.cpu_count()} CPUs"
    blas = "unknown BLAS"
    try:
        with open("/proc/self/maps") as handle:
            paths = sorted(set(re.findall(r"(/\S*openblas\S*\.so\S*)", handle.read())))
        for path in paths:
            library = ctypes.CDLL(path)
            for name in ("scipy_openblas_get_corename64_", "openblas_get_corename64_",
                         "openblas_get_corename"):
                if hasattr(library, name):
                    function = getattr(library, name)
                    function.restype = ctypes.c_char_p
                    blas = f"OpenBLAS {function().decode()} kernel"
                    break
    except OSError:
        pass
    return f"{cpu}; NumPy {np.__version__}, {blas}"


def median(values):
    return statistics.median(values)


def peak_rss_mib():
    """Peak resident set size of this process so far, in MiB (Linux: ru_maxrss is KiB)."""
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def emit(result):
    print(json.dumps(result))


def bucket_batches(lengths, batch, seed=0, window_batches=32):
    """Batches of similar length, as nnkit's ``fit(shuffle="bucket")`` makes them.

    Shuffle, sort by length within windows of ``window_batches`` batches, cut
    into batches, shuffle the batch order. Returns a list of index arrays.
    """
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(lengths))
    window = batch * window_batches
    for start in range(0, len(order), window):
        chunk = order[start:start + window]
        order[start:start + window] = chunk[np.argsort(lengths[chunk], kind="stable")]
    batches = [order[i:i + batch] for i in range(0, len(order), batch)]
    return [batches[i] for i in rng.permutation(len(batches))]
