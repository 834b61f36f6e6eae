"""Data-parallel training over MPI: 2 ranks give the single process's weights and losses.

Runs real ``mpiexec -n 2`` jobs of ``tests/distributed/train_worker.py`` (the ``mpi`` extra:
mpi4py and the mpich wheel, installed by ``.ci/run``); skipped where there is no MPI.
"""
import os
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest

WORKER = os.path.join(os.path.dirname(__file__), "distributed", "train_worker.py")
MPIEXEC = shutil.which("mpiexec", path=os.path.dirname(sys.executable) + os.pathsep +
                       os.environ.get("PATH", ""))


def run(args, ranks=None, timeout=120):
    command = [sys.executable, WORKER, *args]
    if ranks is not None:
        command = [MPIEXEC, "-n", str(ranks), *command]
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)


needs_mpi = pytest.mark.skipif(MPIEXEC is None or shutil.which("python") is None or
                               __import__("importlib").util.find_spec("mpi4py") is None,
                               reason="no MPI (pip install 'nnkit[mpi]')")


def weights(path):
    arrays = np.load(path)
    return [arrays[f"w{i}"] for i in range(len([k for k in arrays if k.startswith("w")]))]


def test_import_nnkit_does_not_import_mpi4py():
    done = subprocess.run([sys.executable, "-c", "import sys, nnkit; "
                           "print('mpi4py' in sys.modules)"], capture_output=True, text=True)
    assert done.stdout.strip() == "False"


def test_without_mpiexec_it_is_one_process_of_one():
    import nnkit
    parallel = nnkit.distributed.DataParallel()
    assert (parallel.rank, parallel.size, parallel.is_chief) == (0, 1, True)
    np.testing.assert_array_equal(parallel.local_rows(np.arange(5)), np.arange(5))


@needs_mpi
@pytest.mark.parametrize("model", ["lstm", "csr_mlp"])
def test_two_ranks_train_the_single_process_weights(model, tmp_path):
    single, double = tmp_path / "one.npz", tmp_path / "two.npz"
    assert run([model, str(single)]).returncode == 0
    done = run([model, str(double)], ranks=2)
    assert done.returncode == 0, done.stderr[-2000:]
    for a, b in zip(weights(single), weights(double)):
        np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-12)
    one, two = np.load(single), np.load(double)
    for key in ("loss", "val_loss", "accuracy"):      # metrics averaged with the right weights
        np.testing.assert_allclose(two[key], one[key], rtol=1e-9)
    assert int(two["bytes_sent"]) > 0


@needs_mpi
def test_resume_after_a_rank_is_killed_gives_the_same_loss_trace(tmp_path):
    reference = run(["lstm", str(tmp_path / "ref.npz"), "--backup", str(tmp_path / "r.h5")],
                    ranks=2)
    assert reference.returncode == 0, reference.stderr[-2000:]
    backup = str(tmp_path / "backup.h5")
    killed = run(["lstm", str(tmp_path / "k.npz"), "--backup", backup, "--kill-on-rank", "1"],
                 ranks=2)
    assert killed.returncode != 0 and os.path.exists(backup)
    resumed = run(["lstm", str(tmp_path / "k.npz"), "--backup", backup], ranks=2)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    ref, again = np.load(tmp_path / "ref.npz"), np.load(tmp_path / "k.npz")
    np.testing.assert_array_equal(again["loss"], ref["loss"])
    for a, b in zip(weights(tmp_path / "ref.npz"), weights(tmp_path / "k.npz")):
        np.testing.assert_array_equal(b, a)


@needs_mpi
def test_an_exception_on_one_rank_ends_every_rank_within_seconds(tmp_path):
    start = time.monotonic()
    done = run(["lstm", str(tmp_path / "x.npz"), "--fail-on-rank", "1"], ranks=2, timeout=60)
    assert done.returncode != 0
    assert time.monotonic() - start < 30
    assert "rank 1 of 2 failed" in done.stderr and "deliberate failure" in done.stderr
    assert not (tmp_path / "x.npz").exists()
