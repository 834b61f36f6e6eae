"""Boston housing prices (Harrison and Rubinfeld, 1978; StatLib), as ``keras.datasets.boston_housing``.

Keras's ``boston_housing.npz`` (506 rows of 13 features and a median price in k$), from Keras's
origin with Keras's sha256. As Keras warns, the feature "B" encodes a racist assumption; use
this dataset only where that problem is part of the lesson.
"""
import numpy as np

from nnkit.datasets.download import KERAS_ORIGIN_FOLDER, find_or_download
from nnkit.datasets.npz import malformed, read_npz
from nnkit.errors import InvalidArgumentError

ORIGIN_FOLDER = KERAS_ORIGIN_FOLDER       # read at call time: tests point it at file:// fixtures
FILE_NAME = "boston_housing.npz"
FILE_SHA256 = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"
CACHE_SUBDIR = "boston_housing"


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """Shuffle the rows with ``numpy.random.RandomState(seed)`` and split them, as Keras does.

    The first ``int(N * (1 - test_split))`` shuffled rows are the training set.

    Args:
        path: the file's name in the cache (Keras's meaning), or a local file (a path with a
            folder part) or a folder holding it.
        test_split: fraction of rows for the test set, in ``[0, 1)``.
        seed: shuffling seed.

    Shapes:
        x ``(N, 13)`` float64 features, y ``(N,)`` float64 prices; N = 404 train, 102 test.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = nnkit.datasets.boston_housing.load_data()
    """
    if isinstance(test_split, bool) or not isinstance(test_split, (int, float)) or not 0 <= test_split < 1:
        raise InvalidArgumentError(f"boston_housing.load_data: test_split must be a number in [0, 1), "
                                   f"received {test_split!r}")
    file = find_or_download((FILE_NAME,), CACHE_SUBDIR, ORIGIN_FOLDER + FILE_NAME, path=path,
                            sha256=FILE_SHA256, keras_subdir="datasets")
    arrays = read_npz(file, ("x", "y"), FILE_NAME)
    x, y = arrays["x"], arrays["y"]
    if x.ndim != 2 or y.shape != x.shape[:1]:
        raise malformed(file, FILE_NAME, f"expected x (N, D) and y (N,), received {x.shape} and {y.shape}")
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    x, y = x[order], y[order]
    n_train = int(len(x) * (1 - test_split))
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])
