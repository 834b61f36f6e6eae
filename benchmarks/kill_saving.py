"""SIGKILL a process while it saves checkpoints; the file must always be old or new, whole.

A child process builds a model and saves it in a loop, alternating two weight
versions (all weights 1.0, then all 2.0), through ``model.save`` or through
``ModelCheckpoint``. The parent kills it (SIGKILL) after a random delay, then
checks that ``load_model`` reads the target and that its weights are exactly
one of the two versions. Leftover temporary files of killed writers are
allowed; the next writer removes them.

    python benchmarks/kill_saving.py --kills 300            # both modes
    python benchmarks/kill_saving.py --kills 1000 --mode checkpoint

tests/test_crash_safe_save.py runs the same check with a few kills.
"""
import argparse
import glob
import os
import pathlib
import random
import signal
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[1]


def _model(nnkit):
    model = nnkit.Sequential([nnkit.Dense(256, input_shape=(256,)), nnkit.Dense(256),
                              nnkit.Dense(4, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    return model


def child(mode, path):
    """Save forever, alternating versions; print 'ready' after the first complete save."""
    import numpy as np
    import nnkit
    model = _model(nnkit)
    versions = [[np.full(w.shape, value, dtype=w.dtype) for w in model.get_weights()]
                for value in (1.0, 2.0)]
    checkpoint = nnkit.callbacks.ModelCheckpoint(path, save_best_only=False)
    checkpoint.set_model(model)
    for count in range(10 ** 9):
        model.set_weights(versions[count % 2])
        if mode == "save":
            model.save(path)
        else:
            checkpoint.on_epoch_end(count, {"loss": 1.0})
        if count == 0:
            print("ready", flush=True)


def check(path):
    """Return the version (1.0 or 2.0) of the complete model at ``path``; raise otherwise."""
    import numpy as np
    import nnkit
    model = nnkit.load_model(path)
    weights = model.get_weights()
    for value in (1.0, 2.0):
        if all((w == value).all() for w in weights):
            return value
    raise AssertionError(f"{path}: weights are neither version (a mix of old and new)")


def run(kills, mode, folder, max_delay=0.03, seed=0):
    """Kill ``kills`` children at random moments; returns a summary dict."""
    rng = random.Random(seed)
    path = os.path.join(folder, "model.h5")
    seen = {1.0: 0, 2.0: 0}
    leftovers = mid_write = 0
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    for _ in range(kills):
        process = subprocess.Popen([sys.executable, __file__, "--child", mode, path],
                                   stdout=subprocess.PIPE, env=env)
        line = process.stdout.readline()
        if line.strip() != b"ready":
            process.kill()
            raise RuntimeError(f"child failed to start: {line!r}")
        time.sleep(rng.uniform(0.0, max_delay))
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        process.stdout.close()
        temp_files = len(glob.glob(os.path.join(folder, ".model.h5.*.tmp")))
        mid_write += temp_files > 0                   # killed while a temp file was open
        leftovers = max(leftovers, temp_files)
        seen[check(path)] += 1
    return {"kills": kills, "mode": mode, "versions_seen": seen, "killed_mid_write": mid_write,
            "max_leftover_tmp": leftovers}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=300)
    parser.add_argument("--mode", choices=["save", "checkpoint", "both"], default="both")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    import tempfile
    modes = ["save", "checkpoint"] if args.mode == "both" else [args.mode]
    for mode in modes:
        with tempfile.TemporaryDirectory() as folder:
            start = time.time()
            summary = run(args.kills, mode, folder)
            print(f"{summary}  ({time.time() - start:.1f} s): every file was one complete version")


if __name__ == "__main__":
    main()
