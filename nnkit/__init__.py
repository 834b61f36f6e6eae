"""nnkit: a Keras-style neural-network framework with hand-written, readable gradients.

Example:
    >>> import nnkit
    >>> model = nnkit.Sequential([nnkit.Dense(20, activation="sigmoid", input_shape=(100,)),
    ...                           nnkit.Dense(2, activation="softmax")])
    >>> model.compile(nnkit.optimizers.SGD(0.01), "sparse_categorical_crossentropy",
    ...               metrics=["accuracy"])

Every public subpackage is an attribute after ``import nnkit`` (as Keras's are); the ones a
training script may never touch (``datasets``, ``distributed``, ``preprocessing``, ``testing``)
are imported on first access, to keep ``import nnkit`` fast.
"""
import importlib

from nnkit.backend import thread_policy

thread_policy.import_numpy()     # before anything imports NumPy: OpenBLAS starts under the policy

from nnkit import (activations, backend, callbacks, constraints, graph,  # noqa: E402,F401
                   initializers, layers, losses, metrics, models, optimizers, regularizers,
                   saving, utils)
from nnkit.config import floatx, set_floatx  # noqa: E402
from nnkit.errors import (BackendError, CheckpointError, DTypeError,  # noqa: E402
                          InvalidArgumentError, NnkitError, NotBuiltError, ShapeError)
from nnkit.layers import *  # noqa: E402,F401,F403  (the layer classes are top-level API too)
from nnkit.initializers import Initializer  # noqa: E402
from nnkit.keras_names import missing_message  # noqa: E402
from nnkit.keras_stand_in import use_as_keras  # noqa: E402
from nnkit.losses import Loss  # noqa: E402
from nnkit.metrics import Metric  # noqa: E402
from nnkit.models import Model, Sequential  # noqa: E402
from nnkit.optimizers import Optimizer  # noqa: E402
from nnkit.profiling import profile  # noqa: E402
from nnkit.random import set_seed  # noqa: E402
from nnkit.registry import register_cell, register_layer  # noqa: E402
from nnkit.regularizers import Regularizer  # noqa: E402
from nnkit.saving import load_model  # noqa: E402
from nnkit.version import __version__  # noqa: E402
from nnkit import config  # noqa: E402,F401  (Keras 3's keras.config)

#: subpackages imported when first asked for (``nnkit.testing``)
LAZY_SUBPACKAGES = ("datasets", "distributed", "preprocessing", "testing")


def version():
    """nnkit's version string (Keras's ``keras.version()``)."""
    return __version__


def __getattr__(name):
    if name in LAZY_SUBPACKAGES:
        return importlib.import_module(f"nnkit.{name}")
    if name.startswith("__"):
        raise AttributeError(f"module 'nnkit' has no attribute {name!r}")
    raise AttributeError(missing_message("nnkit", name))
