"""Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017), as ``keras.datasets.fashion_mnist``.

Four gzipped IDX files from Keras's origin. Keras gives no checksum for them, so none is
checked here either; their IDX headers are. In Keras's cache they live in
``datasets/fashion-mnist/``. Licence: MIT, Zalando SE.

Labels: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt, 7 Sneaker,
8 Bag, 9 Ankle boot.
"""
from nnkit.datasets.download import KERAS_ORIGIN_FOLDER, find_or_download
from nnkit.datasets.image_arrays import IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, read_idx
from nnkit.datasets.npz import malformed

ORIGIN_FOLDER = KERAS_ORIGIN_FOLDER       # read at call time: tests point it at file:// fixtures
FILES = {"y_train": "train-labels-idx1-ubyte.gz", "x_train": "train-images-idx3-ubyte.gz",
         "y_test": "t10k-labels-idx1-ubyte.gz", "x_test": "t10k-images-idx3-ubyte.gz"}
CACHE_SUBDIR = "fashion-mnist"


def load_data():
    """The 60,000 training and 10,000 test images of clothes, as Keras returns them.

    Shapes:
        x_train ``(60000, 28, 28)`` uint8 pixels 0-255, y_train ``(60000,)`` uint8 classes 0-9;
        x_test ``(10000, 28, 28)``, y_test ``(10000,)``.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``, in the files' order (not shuffled).

    Example:
        >>> (x_train, y_train), (x_test, y_test) = nnkit.datasets.fashion_mnist.load_data()
    """
    arrays = {}
    for key, name in FILES.items():
        file = find_or_download((name,), CACHE_SUBDIR, ORIGIN_FOLDER + name,
                                keras_subdir=f"datasets/{CACHE_SUBDIR}")
        arrays[key] = read_idx(file, IDX_LABELS_MAGIC if key.startswith("y") else IDX_IMAGES_MAGIC)
        if key.startswith("x") and len(arrays[key]) != len(arrays["y" + key[1:]]):
            raise malformed(file, "Fashion-MNIST image file", f"expected {len(arrays['y' + key[1:]])} images "
                                                             f"(one per label), received {len(arrays[key])}")
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])
