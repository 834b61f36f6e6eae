"""A compiler without OpenMP (Apple's clang) still builds working kernels, single-threaded.

``setup.py`` probes the compiler for OpenMP; ``NNKIT_BUILD_OPENMP=0`` makes it build as if the
probe had failed. Here a copy of the source tree is built that way (the fastest build this CPU
runs only), and the kernel tests run against that copy with 2 threads asked for.
"""
import os
import pathlib
import shutil
import subprocess
import sys
import sysconfig

import pytest

from nnkit.backend import kernels

ROOT = pathlib.Path(__file__).resolve().parent.parent
KERNEL_TESTS = ("tests/test_compiled_kernels.py", "tests/test_sparse_rows.py")


def has_compiler():
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    return shutil.which(compiler) is not None


@pytest.mark.skipif(not has_compiler(), reason="no C compiler")
def test_kernels_built_without_openmp_work_single_threaded(tmp_path):
    path = next(p for p in ("avx512", "avx2", "generic") if p in kernels.supported_paths())
    tree = tmp_path / "tree"
    ignore = shutil.ignore_patterns("__pycache__", "*.so", "*.pyd", "*.egg-info")
    shutil.copytree(ROOT / "nnkit", tree / "nnkit", ignore=ignore)
    shutil.copytree(ROOT / "tests", tree / "tests", ignore=ignore)
    for name in ("setup.py", "pyproject.toml", "README.md", "MANIFEST.in"):
        shutil.copy(ROOT / name, tree / name)
    env = {**os.environ, "NNKIT_BUILD_OPENMP": "0", "NNKIT_BUILD_PATHS": path}
    build = subprocess.run([sys.executable, "setup.py", "build_ext", "--inplace"], cwd=tree,
                           env=env, capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-3000:]
    assert f"cpu_kernels_{path}:" in build.stdout and "no OpenMP" in build.stdout
    built = list((tree / "nnkit" / "backend" / "kernels").glob(f"cpu_kernels_{path}*"))
    assert len(built) == 1, built
    assert b"libgomp" not in built[0].read_bytes() and b"GOMP_" not in built[0].read_bytes()

    env = {**os.environ, "NNKIT_CPU": path, "OMP_NUM_THREADS": "2", "PYTHONPATH": str(tree)}
    env.pop("NNKIT_COMPILED", None)
    where = subprocess.run([sys.executable, "-c", "import nnkit.backend.kernels as k; "
                            "print(k.__file__); print(k.selected_path())"],
                           cwd=tree, env=env, capture_output=True, text=True, check=True)
    assert where.stdout.split() == [str(tree / "nnkit/backend/kernels/__init__.py"), path]
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                          *KERNEL_TESTS], cwd=tree, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]
    assert " passed" in run.stdout and " failed" not in run.stdout
