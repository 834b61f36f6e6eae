"""Model files: ``save_model``/``load_model``/``save_weights``/``load_weights`` over nnkit's
HDF5 format and Keras's ``.keras``, ``.weights.h5`` and Keras 2 ``.h5`` files."""
from nnkit.keras_names import missing_names
from nnkit.saving.api import load_model, load_weights, save_model, save_weights
from nnkit.saving.file_kind import file_kind
from nnkit.utils.custom_objects import (custom_object_scope, get_custom_objects,
                                        get_registered_name, register_keras_serializable)

register_serializable = register_keras_serializable     # the short name

__all__ = ["save_model", "load_model", "save_weights", "load_weights", "file_kind",
           "register_keras_serializable", "register_serializable", "custom_object_scope",
           "get_custom_objects", "get_registered_name"]

__getattr__ = missing_names(__name__)   # names Keras has and nnkit lacks say so
