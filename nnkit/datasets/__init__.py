"""Dataset loaders with Keras-compatible APIs: ``imdb`` and ``amazon_reviews``.

Submodules are imported on first use, so ``import nnkit.datasets`` stays cheap (no scipy,
h5py or tqdm). Files are read from ``path=``, else ``$NNKIT_DATA_DIR`` (default
``~/.cache/nnkit``), else downloaded there and checked against the published checksum.

Example:
    >>> from nnkit.datasets import imdb
    >>> (x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=10000)
"""
import importlib

__all__ = ["amazon_reviews", "download", "imdb", "DatasetError"]


def __getattr__(name):
    if name == "DatasetError":
        return importlib.import_module("nnkit.datasets.download").DatasetError
    if name in __all__:
        return importlib.import_module(f"nnkit.datasets.{name}")
    raise AttributeError(f"module 'nnkit.datasets' has no attribute {name!r}")
