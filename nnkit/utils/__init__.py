"""Keras's ``keras.utils`` for nnkit: ``get_file``, ``pad_sequences``, ``to_categorical``,
``normalize``, ``set_random_seed``, ``plot_model``/``model_to_dot``, ``register_keras_serializable``,
``Sequence`` (Keras's ``PyDataset``), and nnkit's ``plot_history``.

Importing it is cheap: pydot, matplotlib and tqdm are imported only when a function needs them.
"""
from nnkit.backend import clear_session
from nnkit.keras_names import missing_names
from nnkit.preprocessing.sequence import pad_sequences
from nnkit.utils.categorical import to_categorical
from nnkit.utils.custom_objects import register_keras_serializable
from nnkit.utils.files import get_file
from nnkit.utils.model_plot import model_to_dot, plot_model
from nnkit.utils.normalize import normalize
from nnkit.utils.plotting import plot_history
from nnkit.utils.random_seed import set_random_seed
from nnkit.utils.sequence import Sequence

PyDataset = Sequence            # Keras 3's name

__all__ = ["clear_session", "PyDataset", "Sequence", "get_file", "model_to_dot", "normalize",
           "pad_sequences", "plot_history", "plot_model", "register_keras_serializable",
           "set_random_seed", "to_categorical"]

__getattr__ = missing_names(__name__)   # names Keras has and nnkit lacks say so
