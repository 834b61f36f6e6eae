"""Which format a model or weights file is in, decided by its content (never by its name).

A zip is a Keras 3 ``.keras`` archive; an HDF5 file with nnkit's ``format`` attribute is
nnkit's own; one with a ``model_config`` attribute is a Keras 2 / tf-keras (or Keras 3
legacy) full model; one with a ``layers`` group is Keras 3's ``.weights.h5``; one with
``layer_names`` is Keras 2's ``save_weights`` file.
"""
from nnkit.errors import CheckpointError
from nnkit.saving.keras_archive import is_zip
from nnkit.saving.safe_hdf5 import SafeHDF5


def file_kind(path):
    """"keras" (zip), "nnkit", "keras_h5" (full model), "keras3_weights", "keras2_weights"."""
    if is_zip(path):
        return "keras"
    with SafeHDF5(path) as reader:
        attrs = reader.file.attrs
        if "format" in attrs:
            return "nnkit"
        if "model_config" in attrs:
            return "keras_h5"
        if reader.has("layers"):
            return "keras3_weights"
        if "layer_names" in attrs or reader.has("model_weights"):
            return "keras2_weights"
    raise CheckpointError(f"{str(path)!r} is neither an nnkit checkpoint nor a Keras file")
