"""The one front end for model files: nnkit's HDF5 format and Keras's formats.

Writing picks the format by the path's ending (``.keras`` and ``.weights.h5`` are Keras 3's,
anything else nnkit's HDF5); reading recognises the format by content (``file_kind``).
Every write is atomic; no read executes code from the file.
"""
import os

from nnkit.backend import get_backend
from nnkit.errors import CheckpointError, InvalidArgumentError
from nnkit.registry import custom_object_scope
from nnkit.saving import hdf5, keras_files
from nnkit.saving.file_kind import file_kind


def save_model(model, path, include_optimizer=True, tokenizer=None):
    """Write ``model`` to ``path``: a ``.keras`` path gets a Keras 3 archive (architecture,
    weights, compile settings), any other path nnkit's HDF5 file (also the optimizer state
    and tokenizer, for exact resume).

    Raises:
        CheckpointError: ``.keras`` for a model with a layer Keras has no equivalent for;
            a weight holds NaN or infinity (the file at ``path`` is left as it was, since
            no load would accept it).
        InvalidArgumentError: ``path`` is not a path.
    """
    check_savable(model, path, "save")
    if str(path).endswith(".keras"):
        keras_files.save_keras_archive(model, path)
    else:
        hdf5.write_model(model, path, include_optimizer=include_optimizer, tokenizer=tokenizer)


def save_weights(model, path):
    """Write only the weights: Keras 3's layout for a ``.weights.h5`` path, else nnkit's.

    Raises:
        CheckpointError, InvalidArgumentError: as ``save_model``.
    """
    check_savable(model, path, "save_weights")
    if str(path).endswith(".weights.h5"):
        keras_files.save_keras_weights(model, path)
    else:
        hdf5.write_weights(model, path)


def load_model(path, custom_objects=None, compile=True, safe_mode=True, restore_rng_state=True):
    """The model saved at ``path``: an nnkit checkpoint, a Keras 3 ``.keras`` archive or a
    Keras 2 / tf-keras full-model ``.h5``, rebuilt on the current backend.

    Args:
        custom_objects: ``{name: class or function}`` the file's config may name (Keras's
            argument), besides the registered ones; nothing in the file is ever run.
        compile: also restore the optimizer (with its slots and step count), loss and
            metrics, so training resumes exactly where it stopped.
        safe_mode: Keras's flag; nnkit is always safe (code in a file is refused), so only
            True is accepted.
        restore_rng_state: (nnkit files) put nnkit's generator back in the saved state, so
            shuffling and dropout continue as in the uninterrupted run.

    Raises:
        CheckpointError: the file is missing, not a model file, of a newer format,
            truncated, corrupted or hostile.
    """
    if safe_mode is not True:
        raise InvalidArgumentError("load_model: nnkit never runs code from a file, so "
                                   "safe_mode=False is not offered")
    with custom_object_scope(custom_objects):
        if file_kind(path) != "nnkit":
            return keras_files.load_keras_model(path, compile=compile)
        return hdf5.read_model(path, compile=compile, restore_rng_state=restore_rng_state)


def load_weights(model, path):
    """Copy the weights stored at ``path`` (nnkit's file or Keras's ``.weights.h5``,
    ``.keras``, Keras 2 ``.h5``, recognised by content) into built ``model``."""
    if not model.built:
        raise CheckpointError(f"load_weights: model '{model.name}' must be built first")
    kind = file_kind(path)
    if kind == "nnkit":
        hdf5.read_weights(model, path)
    else:
        keras_files.load_keras_weights(model, path, kind)


def check_savable(model, path, what):
    """Refuse a ``path`` that is not a path, and a model with a non-finite weight.

    Raises:
        InvalidArgumentError: ``path`` is not a str or os.PathLike.
        CheckpointError: naming the first weight (``layer/key``) that holds NaN or infinity.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidArgumentError(f"{what}: the path must be a str or os.PathLike, received "
                                   f"{type(path).__name__} {path!r}")
    bad = first_non_finite_weight(model)
    if bad is not None:
        raise CheckpointError(f"{what}: model '{model.name}' has NaN or infinite values in "
                              f"weight {bad!r} (training diverged?); {str(path)!r} was not "
                              f"written, so it keeps its last good contents")


def first_non_finite_weight(model):
    """Name ``"<layer>/<key>"`` of the first parameter holding NaN or infinity, else None."""
    xp = get_backend().xp
    for name, value in model.params.items():
        if not bool(xp.isfinite(value).all()):
            return name
    return None

