"""nnkit: a Keras-style neural-network framework with hand-written, readable gradients.

Example:
    >>> import nnkit
    >>> model = nnkit.Sequential([nnkit.Dense(20, activation="sigmoid", input_shape=(100,)),
    ...                           nnkit.Dense(2, activation="softmax")])
    >>> model.compile(nnkit.optimizers.SGD(0.01), "sparse_categorical_crossentropy",
    ...               metrics=["accuracy"])
"""
from nnkit.backend import thread_policy

thread_policy.import_numpy()     # before anything imports NumPy: OpenBLAS starts under the policy

from nnkit import (backend, callbacks, constraints, distributed, losses,  # noqa: E402
                   optimizers, regularizers, utils)
from nnkit.config import floatx, set_floatx
from nnkit.errors import (BackendError, CheckpointError, DTypeError, InvalidArgumentError,
                          NnkitError, NotBuiltError, ShapeError)
from nnkit.layers import *  # noqa: F401,F403  (the layer classes are part of the top-level API)
from nnkit.graph import Input, Model
from nnkit.models import Sequential
from nnkit.profiling import profile
from nnkit.random import set_seed
from nnkit.registry import register_cell, register_layer
from nnkit.saving.hdf5 import load_model

__version__ = "0.1.0"
