"""Build the NumPy backend's compiled kernels; everything else is in pyproject.toml.

The kernels: matmul, the LSTM and GRU loops, CSR batches and products, row updates.
They are built once per instruction set, each for any CPU that has it (no
``-march=native``): on x86-64 ``cpu_kernels_avx512`` (AVX-512 F/BW/DQ/VL + FMA),
``cpu_kernels_avx2`` (AVX2 + FMA) and ``cpu_kernels_generic`` (the x86-64 baseline);
elsewhere ``cpu_kernels_generic``. ``nnkit/backend/kernels/__init__.py`` picks one at
run time from the CPU's features (``NNKIT_CPU=avx512|avx2|generic`` forces one).
``NNKIT_BUILD_NATIVE=1`` adds ``cpu_kernels_native`` (``-march=native``: for this
machine only), preferred when present. Every extension is optional: without a C
compiler (or OpenMP) the install goes on and NumPy computes the same.
"""
import os
import platform
import sys

from setuptools import Extension, setup

KERNELS = "nnkit/backend/kernels"
DEPENDS = [f"{KERNELS}/{name}" for name in ("gemm_typed.h", "loop_rows_typed.h",
                                             "lstm_loop_typed.h", "gru_loop_typed.h",
                                             "csr_typed.h", "rows_typed.h")]

if sys.platform == "win32":
    base, link = ["/O2", "/openmp"], []
    paths = {"generic": ["/DVBYTES=16", "/DMR=6"]}
else:
    base, link = ["-O3", "-fopenmp"], ["-fopenmp"]
    # 16 vector registers below AVX-512: 6 × 2 accumulators (BLIS's Haswell shape), not 8 × 2
    paths = {"generic": ["-DVBYTES=16", "-DMR=6"]}
    if platform.machine().lower() in ("x86_64", "amd64"):
        paths["avx2"] = ["-mavx2", "-mfma", "-DVBYTES=32", "-DMR=6"]
        paths["avx512"] = ["-mavx512f", "-mavx512bw", "-mavx512dq", "-mavx512vl", "-mavx2",
                           "-mfma", "-DVBYTES=64"]
    if os.environ.get("NNKIT_BUILD_NATIVE") == "1":
        paths["native"] = ["-march=native", "-DVBYTES=64"]


def kernel(path, flags):
    name = f"cpu_kernels_{path}"
    define = [f"/DMODULE={name}"] if sys.platform == "win32" else [f"-DMODULE={name}"]
    return Extension(f"nnkit.backend.kernels.{name}", sources=[f"{KERNELS}/cpu_kernels.c"],
                     depends=DEPENDS, extra_compile_args=base + flags + define,
                     extra_link_args=link, optional=True)


setup(ext_modules=[kernel(path, flags) for path, flags in paths.items()])
