"""Reading Keras's image datasets: ``mnist.npz`` and the IDX files of Fashion-MNIST."""
import gzip
import struct

import numpy as np

from nnkit.datasets.npz import malformed, read_npz

IDX_LABELS_MAGIC = 2049                 # unsigned bytes, 1 axis
IDX_IMAGES_MAGIC = 2051                 # unsigned bytes, 3 axes


def read_image_npz(file, what):
    """``(x_train, y_train), (x_test, y_test)`` of an npz holding uint8 images ``(N, H, W)`` and labels ``(N,)``.

    Raises:
        DatasetError: a key is missing, a dtype is not uint8, or images and labels differ in number.
    """
    arrays = read_npz(file, ("x_train", "y_train", "x_test", "y_test"), what)
    for split in ("train", "test"):
        images, labels = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if images.dtype != np.uint8 or labels.dtype != np.uint8 or images.ndim != 3 or labels.shape != images.shape[:1]:
            raise malformed(file, what, f"expected uint8 x_{split} (N, H, W) and y_{split} (N,), received "
                                        f"{images.dtype} {images.shape} and {labels.dtype} {labels.shape}")
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def read_idx(file, magic):
    """The uint8 array of a gzipped IDX file (``IDX_LABELS_MAGIC`` → ``(N,)``, ``IDX_IMAGES_MAGIC`` → ``(N, H, W)``).

    Raises:
        DatasetError: not gzip, another magic number, or a size that disagrees with the header.
    """
    axes = 1 if magic == IDX_LABELS_MAGIC else 3
    try:
        with gzip.open(file, "rb") as stream:
            data = stream.read()
        header = struct.unpack(f">{axes + 1}I", data[:4 * (axes + 1)])
    except (OSError, EOFError, struct.error) as error:
        raise malformed(file, "gzipped IDX file", error) from error
    shape = header[1:]
    if header[0] != magic or len(data) != 4 * (axes + 1) + int(np.prod(shape)):
        raise malformed(file, "gzipped IDX file", f"expected magic {magic} and {int(np.prod(shape))} bytes of "
                                                  f"data, received magic {header[0]} and "
                                                  f"{len(data) - 4 * (axes + 1)} bytes")
    return np.frombuffer(data, np.uint8, offset=4 * (axes + 1)).reshape(shape)
