"""Build the NumPy backend's compiled kernels; everything else is in pyproject.toml.

The kernels: matmul, the LSTM and GRU loops, CSR batches and products, row updates.
The extension is optional: without a C compiler (or OpenMP) the install goes on
and the same computations run in NumPy (``nnkit/backend/kernels/__init__.py``).
"""
import sys

from setuptools import Extension, setup

if sys.platform == "win32":
    flags, link = ["/O2", "/openmp"], []
else:
    flags, link = ["-O3", "-march=native", "-fopenmp"], ["-fopenmp"]

setup(ext_modules=[Extension("nnkit.backend.kernels.cpu_kernels",
                             sources=["nnkit/backend/kernels/cpu_kernels.c"],
                             depends=["nnkit/backend/kernels/gemm_typed.h",
                                      "nnkit/backend/kernels/loop_rows_typed.h",
                                      "nnkit/backend/kernels/lstm_loop_typed.h",
                                      "nnkit/backend/kernels/gru_loop_typed.h",
                                      "nnkit/backend/kernels/csr_typed.h",
                                      "nnkit/backend/kernels/rows_typed.h"],
                             extra_compile_args=flags, extra_link_args=link, optional=True)])
