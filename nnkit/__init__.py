"""nnkit: a Keras-style neural-network framework with hand-written, readable gradients."""
from nnkit import backend
from nnkit.config import floatx, set_floatx
from nnkit.errors import (BackendError, CheckpointError, DTypeError, InvalidArgumentError,
                          NnkitError, NotBuiltError, ShapeError)
from nnkit.layers import *  # noqa: F401,F403  (the layer classes are part of the top-level API)
from nnkit.layers import __all__ as _layer_names
from nnkit.random import set_seed
from nnkit.registry import register_layer

__version__ = "0.1.0"
