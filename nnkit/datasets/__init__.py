"""Dataset loaders with Keras's APIs: ``mnist``, ``fashion_mnist``, ``imdb``, ``reuters``,
``boston_housing``, and nnkit's ``amazon_reviews``.

Submodules are imported on first use, so ``import nnkit.datasets`` stays cheap (no scipy,
h5py or tqdm). Keras's datasets come from Keras's origin with Keras's checksums; a file is read
from ``path=`` (a path with a folder), else ``$NNKIT_DATA_DIR/<dataset>/`` (default
``~/.cache/nnkit``), else downloaded through ``nnkit.utils.get_file`` into ``$NNKIT_DATA_DIR``
when set, or else Keras's own cache (``~/.keras/datasets``, reusing what Keras downloaded).
Each loader module's ``ORIGIN_FOLDER`` (``imdb``: ``NPZ_URL``, ``WORD_INDEX_URL``), read at every
call, is where it downloads from; tests point it at ``file://`` fixtures.

Example:
    >>> from nnkit.datasets import imdb
    >>> (x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=10000)
"""
import importlib

from nnkit.keras_names import missing_message

__all__ = ["amazon_reviews", "boston_housing", "download", "fashion_mnist", "imdb", "mnist", "reuters",
           "DatasetError"]


def __getattr__(name):
    if name == "DatasetError":
        return importlib.import_module("nnkit.datasets.download").DatasetError
    if name in __all__:
        return importlib.import_module(f"nnkit.datasets.{name}")
    raise AttributeError(missing_message(__name__, name))
