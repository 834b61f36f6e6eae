"""Shared fixtures: float64 for gradient checks, fixed seeds, backends, real data."""
import os
import pathlib

import pytest
from hypothesis import settings

import nnkit

REPO = pathlib.Path(__file__).resolve().parents[1]

# Property tests draw the same examples on every run (CI included): a failure found once is
# found again; set HYPOTHESIS_PROFILE=explore to draw fresh examples while developing.
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture(autouse=True)
def _reset_globals():
    """Every test starts with float32, NumPy and a fixed seed."""
    nnkit.set_floatx("float32")
    nnkit.backend.set_backend("numpy")
    nnkit.set_seed(1234)
    yield
    nnkit.set_floatx("float32")
    nnkit.backend.set_backend("numpy")


@pytest.fixture
def float64():
    """Build layers in float64 (for numerical gradient checks)."""
    nnkit.set_floatx("float64")
    yield
    nnkit.set_floatx("float32")


def _cupy_available():
    try:
        nnkit.backend.set_backend("cupy")
    except nnkit.BackendError:
        return False
    finally:
        nnkit.backend.set_backend("numpy")
    return True


@pytest.fixture(params=["numpy", pytest.param("cupy", marks=pytest.mark.gpu)])
def backend_name(request):
    """Run a test on NumPy, and on CuPy where CuPy and a CUDA device exist."""
    if request.param == "cupy" and not _cupy_available():
        pytest.skip("CuPy backend needs CuPy and a CUDA device")
    nnkit.backend.set_backend(request.param)
    yield request.param
    nnkit.backend.set_backend("numpy")


def shared_data_dir():
    """The real datasets folder (NNKIT_DATA_DIR, else ../shared/data), or None."""
    candidate = os.environ.get("NNKIT_DATA_DIR") or str(REPO.parent / "shared" / "data")
    return pathlib.Path(candidate) if pathlib.Path(candidate).is_dir() else None


@pytest.fixture
def data_dir():
    path = shared_data_dir()
    if path is None:
        pytest.skip("real datasets not found: set NNKIT_DATA_DIR to the shared data folder")
    return path
