"""Keras's ``keras.utils`` for nnkit: ``get_file``, ``pad_sequences``, ``to_categorical``,
``normalize``, ``set_random_seed``, ``plot_model``/``model_to_dot``, ``register_keras_serializable``,
``Sequence`` (Keras's ``PyDataset``), ``text_dataset_from_directory``,
``timeseries_dataset_from_array``, and nnkit's ``plot_history``.

Importing it is cheap: pydot, matplotlib and tqdm are imported only when a function needs them.
"""
from nnkit.backend import clear_session
from nnkit.keras_names import missing_names
from nnkit.preprocessing.sequence import pad_sequences
from nnkit.utils.categorical import to_categorical
from nnkit.utils.custom_objects import (custom_object_scope, get_custom_objects,
                                        get_registered_name, register_keras_serializable)
from nnkit.utils.files import get_file
from nnkit.utils.generation import generate, sample
from nnkit.utils.model_plot import model_to_dot, plot_model
from nnkit.utils.normalize import normalize
from nnkit.utils.plotting import plot_history
from nnkit.utils.random_seed import set_random_seed
from nnkit.utils.sequence import Sequence
from nnkit.utils.text_dataset import text_dataset_from_directory
from nnkit.utils.timeseries_dataset import timeseries_dataset_from_array

PyDataset = Sequence            # Keras 3's name

__all__ = ["generate", "sample", "clear_session", "PyDataset", "Sequence", "get_file", "model_to_dot", "normalize",
           "pad_sequences", "plot_history", "plot_model", "register_keras_serializable",
           "custom_object_scope", "get_custom_objects", "get_registered_name",
           "set_random_seed", "text_dataset_from_directory", "timeseries_dataset_from_array",
           "to_categorical"]

__getattr__ = missing_names(__name__)   # names Keras has and nnkit lacks say so
