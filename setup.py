"""Build the NumPy backend's compiled LSTM loop; everything else is in pyproject.toml.

The extension is optional: without a C compiler (or OpenMP) the install goes on
and the time loop runs in NumPy (``nnkit/backend/compiled_lstm.py``).
"""
import sys

from setuptools import Extension, setup

if sys.platform == "win32":
    flags, link = ["/O2", "/openmp"], []
else:
    flags, link = ["-O3", "-march=native", "-fopenmp"], ["-fopenmp"]

setup(ext_modules=[Extension("nnkit.backend.kernels.lstm_loop",
                             sources=["nnkit/backend/kernels/lstm_loop.c"],
                             depends=["nnkit/backend/kernels/lstm_loop_typed.h"],
                             extra_compile_args=flags, extra_link_args=link, optional=True)])
