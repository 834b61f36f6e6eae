"""The array backend: one object that owns the array module layers compute with."""


class Backend:
    """An array library behind one small interface.

    Layers and optimizers never import numpy or cupy; they use ``self.xp``,
    which is ``get_backend().xp``. The NumPy backend is the reference; the CuPy
    backend overrides only what it must.

    Attributes:
        name: ``"numpy"`` or ``"cupy"``.
        xp: the array module (``numpy`` or ``cupy``).
    """

    name = None

    def __init__(self, xp):
        self.xp = xp

    def asarray(self, array, dtype=None):
        """Move ``array`` onto this backend's device (no copy when already there)."""
        return self.xp.asarray(array, dtype=dtype)

    def to_numpy(self, array):
        """Return ``array`` as a host NumPy array."""
        raise NotImplementedError

    def as_sparse(self, matrix):
        """Move a SciPy CSR matrix onto this backend's device."""
        return matrix.tocsr()

    def synchronize(self):
        """Block until queued device work is done (a no-op on the CPU)."""

    def is_array(self, value):
        """Whether ``value`` is an array of this backend."""
        return isinstance(value, self.xp.ndarray)

    def __repr__(self):
        return f"<nnkit backend {self.name}>"
