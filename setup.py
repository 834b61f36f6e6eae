"""Build the NumPy backend's compiled kernels; everything else is in pyproject.toml.

The kernels: matmul, the LSTM and GRU loops, CSR batches and products, row updates.
They are built once per instruction set, each for any CPU that has it (no
``-march=native``): on x86-64 ``cpu_kernels_avx512`` (AVX-512 F/BW/DQ/VL + FMA),
``cpu_kernels_avx2`` (AVX2 + FMA) and ``cpu_kernels_generic`` (the x86-64 baseline);
elsewhere ``cpu_kernels_generic``. ``nnkit/backend/kernels/__init__.py`` picks one at
run time from the CPU's features (``NNKIT_CPU=avx512|avx2|generic`` forces one).
``NNKIT_BUILD_NATIVE=1`` adds ``cpu_kernels_native`` (``-march=native``: for this
machine only), preferred when present; ``NNKIT_BUILD_PATHS=avx512,generic`` builds only
those. A compiler without OpenMP (Apple's clang) builds them single-threaded (the probe
below; ``NNKIT_BUILD_OPENMP=0`` forces that). Every extension is optional: without a C
compiler the install goes on and NumPy computes the same.
"""
import os
import platform
import sys
import tempfile

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.errors import CompileError, LinkError

KERNELS = "nnkit/backend/kernels"
DEPENDS = [f"{KERNELS}/{name}" for name in (
    "gemm_typed.h", "loop_rows_typed.h", "lstm_loop_typed.h", "gru_loop_typed.h", "csr_typed.h",
    "rows_typed.h", "row_reductions_typed.h", "attention_typed.h", "layer_norm_typed.h",
    "bias_activation_typed.h", "adadelta_typed.h")]

if sys.platform == "win32":
    base, openmp, openmp_link = ["/O2"], ["/openmp"], []
    paths = {"generic": ["/DVBYTES=16", "/DMR=6"]}
else:
    # no errno from sqrt: lets the compiler vectorise it (nnkit never reads errno)
    base, openmp, openmp_link = ["-O3", "-fno-math-errno"], ["-fopenmp"], ["-fopenmp"]
    # 16 vector registers below AVX-512: 6 × 2 accumulators (BLIS's Haswell shape), not 8 × 2
    paths = {"generic": ["-DVBYTES=16", "-DMR=6"]}
    if platform.machine().lower() in ("x86_64", "amd64"):
        paths["avx2"] = ["-mavx2", "-mfma", "-DVBYTES=32", "-DMR=6"]
        paths["avx512"] = ["-mavx512f", "-mavx512bw", "-mavx512dq", "-mavx512vl", "-mavx2",
                           "-mfma", "-DVBYTES=64"]
    if os.environ.get("NNKIT_BUILD_NATIVE") == "1":
        paths["native"] = ["-march=native", "-DVBYTES=64"]
if os.environ.get("NNKIT_BUILD_PATHS"):
    wanted = os.environ["NNKIT_BUILD_PATHS"].split(",")
    paths = {path: flags for path, flags in paths.items() if path in wanted}


def kernel(path, flags):
    name = f"cpu_kernels_{path}"
    define = [f"/DMODULE={name}"] if sys.platform == "win32" else [f"-DMODULE={name}"]
    return Extension(f"nnkit.backend.kernels.{name}", sources=[f"{KERNELS}/cpu_kernels.c"],
                     depends=DEPENDS, extra_compile_args=base + flags + define, optional=True)


class BuildKernels(build_ext):
    """build_ext that adds OpenMP's flags where the compiler takes them (else the kernels
    run on one thread) and logs each kernel's flags."""

    def build_extensions(self):
        threads = os.environ.get("NNKIT_BUILD_OPENMP", "1") != "0" and self._has_openmp()
        for extension in self.extensions:
            if threads:
                extension.extra_compile_args += openmp
                extension.extra_link_args += openmp_link
            print(f"nnkit: {extension.name.rsplit('.', 1)[-1]}: "
                  f"{' '.join(extension.extra_compile_args)}"
                  f"{'' if threads else ' (no OpenMP: one thread)'}")
        super().build_extensions()

    def _has_openmp(self):
        with tempfile.TemporaryDirectory() as folder:
            source = os.path.join(folder, "probe.c")
            with open(source, "w") as handle:
                handle.write("#include <omp.h>\n"
                             "int main(void) { return omp_get_max_threads() < 1; }\n")
            try:
                objects = self.compiler.compile([source], output_dir=folder, extra_postargs=openmp)
                self.compiler.link_executable(objects, os.path.join(folder, "probe"),
                                              extra_postargs=openmp_link)
            except (CompileError, LinkError):
                return False
        return True


setup(ext_modules=[kernel(path, flags) for path, flags in paths.items()],
      cmdclass={"build_ext": BuildKernels})
