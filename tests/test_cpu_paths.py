"""Every build of the compiled kernels this CPU can run gives what NumPy gives (portable
builds): the kernel tests rerun with ``NNKIT_CPU`` set to each path. The loops and matmul
run on the AVX-512 and AVX2 builds; the CSR and row kernels on every build."""
import os
import pathlib
import subprocess
import sys

import pytest

from nnkit.backend import kernels

TESTS = pathlib.Path(__file__).resolve().parent


def runnable():
    if os.environ.get("NNKIT_COMPILED") == "0":
        return []
    return [path for path in kernels.built_paths() if path in kernels.supported_paths()]


def test_the_fastest_runnable_build_is_chosen():
    paths = runnable()
    if not paths:
        pytest.skip("compiled kernels not built or switched off")
    forced = os.environ.get("NNKIT_CPU")          # a path chosen by the user wins
    assert kernels.selected_path() == (forced if forced in paths else paths[0])
    assert "generic" in kernels.built_paths()         # the baseline is always built


@pytest.mark.parametrize("path", ["avx512", "avx2", "generic"])
def test_each_path_matches_numpy(path):
    if path not in runnable():
        pytest.skip(f"the {path} build is not built here or this CPU cannot run it")
    env = {**os.environ, "NNKIT_CPU": path}
    code = "from nnkit.backend import kernels; print(kernels.selected_path())"
    chosen = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, check=True).stdout.strip()
    assert chosen == path
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                          str(TESTS / "test_compiled_kernels.py"), str(TESTS / "test_sparse_rows.py")],
                         capture_output=True, text=True, env=env, cwd=TESTS.parent)
    assert run.returncode == 0, run.stdout[-3000:]
    assert " passed" in run.stdout and " failed" not in run.stdout


def test_an_unknown_or_impossible_path_is_a_clear_error():
    env = {**os.environ, "NNKIT_CPU": "sse9"}
    code = "import nnkit, numpy; nnkit.Dense(2)(numpy.ones((1, 2)))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert run.returncode != 0 and "NNKIT_CPU='sse9'" in run.stderr
