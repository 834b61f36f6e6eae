"""Data-parallel training over MPI (the ``mpi`` extra): ``DataParallel`` and ``fit(distribute=)``.

mpi4py is imported only when a ``DataParallel`` is made, never by ``import nnkit``.
"""
from nnkit.distributed.data_parallel import DataParallel

__all__ = ["DataParallel"]
