"""MNIST handwritten digits (LeCun, Cortes and Burges), as ``keras.datasets.mnist``.

The file is Keras's ``mnist.npz``, from Keras's origin with Keras's sha256 (see
``nnkit.datasets.download`` for where it is looked for and cached). Licence: CC BY-SA 3.0.
"""
from nnkit.datasets.download import KERAS_ORIGIN_FOLDER, find_or_download
from nnkit.datasets.image_arrays import read_image_npz

ORIGIN_FOLDER = KERAS_ORIGIN_FOLDER       # read at call time: tests point it at file:// fixtures
FILE_NAME = "mnist.npz"
FILE_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
CACHE_SUBDIR = "mnist"


def load_data(path="mnist.npz"):
    """The 60,000 training and 10,000 test images of digits, as Keras returns them.

    Args:
        path: the file's name in the cache (Keras's meaning), or a local ``mnist.npz`` (a path
            with a folder part) or a folder holding it.

    Shapes:
        x_train ``(60000, 28, 28)`` uint8 pixels 0-255, y_train ``(60000,)`` uint8 digits 0-9;
        x_test ``(10000, 28, 28)``, y_test ``(10000,)``.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``, in the file's order (not shuffled).

    Example:
        >>> (x_train, y_train), (x_test, y_test) = nnkit.datasets.mnist.load_data()
    """
    file = find_or_download((FILE_NAME,), CACHE_SUBDIR, ORIGIN_FOLDER + FILE_NAME, path=path,
                            sha256=FILE_SHA256, keras_subdir="datasets")
    return read_image_npz(file, FILE_NAME)
