"""The builds' machine code uses no instruction beyond their set (a wheel built on an AVX-512
machine runs on an older one): the baseline build no VEX/EVEX instruction (no AVX at all), the
AVX2 build no AVX-512 register. Read from the disassembly (``objdump``, skipped without it)."""
import importlib.util
import re
import shutil
import subprocess

import pytest

from nnkit.backend import kernels


def disassembly(path):
    spec = importlib.util.find_spec(f"nnkit.backend.kernels.cpu_kernels_{path}")
    if spec is None:
        pytest.skip(f"the {path} build is not built here")
    if shutil.which("objdump") is None:
        pytest.skip("objdump is not installed")
    return subprocess.run(["objdump", "-d", "--no-show-raw-insn", spec.origin],
                          capture_output=True, text=True, check=True).stdout


def mnemonics(text):
    return [line.split("\t")[1].split()[0] for line in text.splitlines()
            if line.count("\t") >= 1 and re.match(r"\s*[0-9a-f]+:\t\S", line)]


def test_the_baseline_build_has_no_avx_instruction():
    if "generic" not in kernels.built_paths():
        pytest.skip("no baseline build here")
    text = disassembly("generic")
    found = mnemonics(text)
    assert len(found) > 1000
    assert not [m for m in found if m.startswith("v")], "VEX/EVEX-encoded instructions"
    assert "%ymm" not in text and "%zmm" not in text


def test_the_avx2_build_has_no_avx512_register():
    text = disassembly("avx2")
    assert "%ymm" in text                       # it is vectorised, with AVX2's registers only
    assert "%zmm" not in text and not re.search(r"%k[0-7]\b", text)
