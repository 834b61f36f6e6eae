"""The CuPy backend: arrays on an NVIDIA GPU."""
import numpy

from nnkit.backend.base import Backend
from nnkit.errors import BackendError


class CupyBackend(Backend):
    """Arrays are ``cupy.ndarray``s on the current CUDA device.

    Raises:
        BackendError: CuPy is not installed or no CUDA device can be used.
    """

    name = "cupy"

    def __init__(self):
        try:
            import cupy
        except ImportError as error:
            raise BackendError(
                "backend 'cupy' needs CuPy: install it with `pip install nnkit[gpu]` "
                f"(import failed: {error})") from error
        try:
            count = cupy.cuda.runtime.getDeviceCount()
        except Exception as error:  # CUDA driver/runtime errors have no common base class
            raise BackendError(f"backend 'cupy': no usable CUDA device ({error})") from error
        if count < 1:
            raise BackendError("backend 'cupy': CuPy is installed but no CUDA device was found")
        super().__init__(cupy)

    def to_numpy(self, array):
        if isinstance(array, self.xp.ndarray):
            return self.xp.asnumpy(array)
        return numpy.asarray(array)

    def scatter_add_rows(self, target, index, values):
        import cupyx
        cupyx.scatter_add(target, index, values)
        return None

    def segment_sums(self, values, lengths):
        """The base's pairwise passes need ``repeat`` with array counts, which CuPy lacks:
        number each row's run with a cumulative sum and scatter-add the rows into their runs."""
        import cupyx
        xp = self.xp
        run = xp.zeros(values.shape[0], xp.int64)
        run[xp.cumsum(lengths)[:-1]] = 1
        sums = xp.zeros((lengths.size,) + tuple(values.shape[1:]), values.dtype)
        cupyx.scatter_add(sums, xp.cumsum(run), values)
        return sums

    def synchronize(self):
        self.xp.cuda.get_current_stream().synchronize()
