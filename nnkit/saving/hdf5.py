"""Saving and loading models as HDF5 files (layout in ``nnkit.saving.format``).

Writing is atomic (``atomic_write``). Reading never unpickles or evaluates:
configs are JSON, classes come from nnkit's registries, and every array is
checked (link type, dtype, shape) before it is read.
"""
import json

import numpy

from nnkit import random
from nnkit.version import __version__
from nnkit.saving import checksum
from nnkit.saving.atomic import atomic_write
from nnkit.saving.format import FORMAT_NAME, FORMAT_VERSION
from nnkit.saving.reader import CheckpointReader


def _write_json_array(group, name, value):
    checksum.write_dataset(group, name,
                           numpy.frombuffer(json.dumps(value).encode(), dtype="uint8"))


def _write_header(file, model):
    checksum.write_attribute(file, "format", FORMAT_NAME)
    checksum.write_attribute(file, "format_version", FORMAT_VERSION)
    checksum.write_attribute(file, "nnkit_version", __version__)
    checksum.write_attribute(file, "model_config", json.dumps({"class_name": type(model).__name__,
                                                           "config": model.get_config()}))
    checksum.write_attribute(file, "rng_state", json.dumps(random.get_state()))


def _write_weights(file, model):
    group = file.create_group("model_weights")
    for layer in model.layers:
        layer_group = group.create_group(layer.name)
        for key, value in zip(layer.params, layer.get_weights()):
            checksum.write_dataset(layer_group, key, value)
        if callable(getattr(layer, "get_assets", None)):
            _write_json_array(file.require_group("assets"), layer.name, layer.get_assets())


def _write_optimizer(file, model):
    optimizer = model.optimizer
    checksum.write_attribute(file, "training_config", json.dumps({
        **model.training_config(),
        "optimizer": {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}}))
    state = optimizer.get_state()
    group = file.create_group("optimizer")
    checksum.write_attribute(group, "iterations", state["iterations"])
    slots = group.create_group("slots")
    for name, values in state["slots"].items():
        for slot, value in values.items():
            checksum.write_dataset(slots, f"{name}/{slot}", value)


def write_model(model, path, include_optimizer=True, tokenizer=None, extra=None):
    """Write ``model`` (architecture, weights, optimizer state, tokenizer) to ``path``.

    Args:
        tokenizer: an object with ``get_config()`` (default: ``model.tokenizer``);
            stored so the loaded model can predict from raw text.
        extra: ``callable(h5py.File)`` adding more groups (used for resume state).
    """
    import h5py
    model._require_built("save")
    tokenizer = tokenizer if tokenizer is not None else model.tokenizer
    if tokenizer is not None:
        model.tokenizer = tokenizer

    def write(tmp_path):
        with h5py.File(tmp_path, "w") as file:
            _write_header(file, model)
            _write_weights(file, model)
            if include_optimizer and model.optimizer is not None:
                _write_optimizer(file, model)
            if tokenizer is not None:
                _write_json_array(file, "tokenizer", {"class_name": type(tokenizer).__name__,
                                                      "config": tokenizer.get_config()})
            if extra is not None:
                extra(file)
            file.flush()

    atomic_write(path, write)


def write_weights(model, path):
    """Write only the header and ``/model_weights`` to ``path`` (atomic)."""
    import h5py
    model._require_built("save_weights")

    def write(tmp_path):
        with h5py.File(tmp_path, "w") as file:
            _write_header(file, model)
            _write_weights(file, model)

    atomic_write(path, write)


def read_model(path, compile=True, restore_rng_state=True):
    """Rebuild the nnkit model saved at ``path`` on the current backend.

    Args:
        compile: also restore the optimizer (with its slots and step count),
            loss and metrics, so training resumes exactly where it stopped.
        restore_rng_state: put nnkit's generator back in the saved state, so
            shuffling and dropout continue as in the uninterrupted run.

    Raises:
        CheckpointError: the file is missing, not an nnkit checkpoint, of a newer format, truncated, corrupted or hostile.
    """
    with CheckpointReader(path) as reader:
        model = reader.build_model()
        reader.read_weights(model)
        if compile and reader.has_training_config():
            reader.compile(model)
        model.tokenizer = reader.read_tokenizer()
        if restore_rng_state:
            random.set_state(reader.rng_state())
        return model


def read_weights(model, path):
    """Copy the weights of the nnkit file at ``path`` into built ``model`` (same architecture)."""
    with CheckpointReader(path) as reader:
        reader.read_weights(model)
