"""Reading Keras's files into nnkit models and writing ``.keras`` archives and ``.weights.h5``
files Keras opens (which file is which: ``nnkit.saving.file_kind``)."""
import datetime
import inspect
import io
import warnings

from nnkit import losses, metrics, optimizers
from nnkit.errors import CheckpointError, NnkitError
from nnkit.saving import (keras_archive as archive, keras_assets as assets,
                          keras_config_export as config_export,
                          keras_config_import as config_import, keras_weights as weights)
from nnkit.layers.base import restoring_weights
from nnkit.registry import LAYERS
from nnkit.saving.atomic import atomic_write
from nnkit.saving.safe_hdf5 import SafeHDF5

KERAS_VERSION_WRITTEN = "3.15.1"


def _build(spec, budget):
    """The nnkit model of an nnkit spec, every weight allocation within ``budget`` elements."""
    try:
        with restoring_weights(budget):
            model = LAYERS.get(spec["class_name"]).from_config(spec["config"])
    except CheckpointError:
        raise
    except (NnkitError, KeyError, TypeError, ValueError, IndexError) as error:
        raise CheckpointError(f"Keras file: the model cannot be built in nnkit: "
                              f"{type(error).__name__}: {error}") from None
    if not model.built:
        raise CheckpointError("Keras file: the model has no input shape (a Sequential model "
                              "saved before it was built)")
    return model


def load_keras_model(path, compile=True):
    """The nnkit model of a Keras ``.keras`` archive or Keras 2 full-model ``.h5``."""
    if archive.is_zip(path):
        config, _, stored = archive.read_archive(path)
        spec = config_import.model_spec(config)
        with SafeHDF5(path, source=io.BytesIO(stored)) as reader:
            model = _build(spec, reader.stored_elements("layers"))
            weights.read_keras3_weights(reader, model)
            members = [member for member, _, _ in assets.needed_members(model)]
            assets.restore_vocabularies(model, archive.read_members(path, members), reader)
        training = config.get("compile_config")
    else:
        with SafeHDF5(path) as reader:
            spec = config_import.model_spec(reader.json_attribute("model_config"))
            model = _build(spec, reader.stored_elements("model_weights"))
            weights.read_legacy_weights(reader, model, "model_weights")
            training = reader.json_attribute("training_config", required=False)
    if compile and isinstance(training, dict):
        _compile(model, training, path)
    return model


def load_keras_weights(model, path, kind):
    """Copy a Keras weights file (or the weights of a Keras model file) into built ``model``;
    ``kind`` as ``nnkit.saving.file_kind`` names it."""
    if kind == "keras":
        _, _, stored = archive.read_archive(path)
        with SafeHDF5(path, source=io.BytesIO(stored)) as reader:
            weights.read_keras3_weights(reader, model)
        return
    with SafeHDF5(path) as reader:
        if kind == "keras3_weights":
            weights.read_keras3_weights(reader, model)
        else:
            root = "model_weights" if reader.has("model_weights") else ""
            weights.read_legacy_weights(reader, model, root)


def _compile(model, training, path):
    """Compile ``model`` as Keras's ``compile_config``/``training_config`` says, where nnkit has
    the optimizer, loss and metrics; otherwise warn and leave the model uncompiled."""
    training = config_import.plain(training, "compile config")
    optimizer = training.get("optimizer") or training.get("optimizer_config")
    if optimizer is None or training.get("loss") is None:
        return                                    # saved before compile
    try:
        name = str(optimizer["class_name"]).split(">")[-1]
        cls = optimizers.OPTIMIZERS.get(name)
        accepted = config_import.accepted_arguments(cls) | set(
            inspect.signature(optimizers.Optimizer.__init__).parameters)
        options = {key: value for key, value in (optimizer.get("config") or {}).items()
                   if key in accepted and value is not None}
        loss = _losses(training["loss"])
        first = loss if isinstance(loss, losses.Loss) else \
            next(iter(loss.values() if isinstance(loss, dict) else loss))
        names = _metric_names(training.get("metrics"))
        for metric in names:
            metrics.get(metric, first)
        model.compile(cls(**options), loss, names or None, training.get("loss_weights"))
    except (NnkitError, KeyError, TypeError, ValueError, AttributeError, StopIteration) as error:
        warnings.warn(f"{path}: the model was loaded uncompiled; its compile settings are not "
                      f"ones nnkit has ({type(error).__name__}: {error})", stacklevel=3)


def _losses(value):
    """The Loss objects of a compile config's ``loss``: one (a name or ``{"class_name",
    "config"}``), a list in output order, or a dict by output name."""
    if isinstance(value, list):
        return [_loss(item) for item in value]
    if isinstance(value, dict) and "class_name" not in value:
        return {name: _loss(item) for name, item in value.items()}
    return _loss(value)


def _loss(spec):
    """One Loss; Keras 2's ``reduction="auto"`` is its "sum_over_batch_size"."""
    if isinstance(spec, dict) and (spec.get("config") or {}).get("reduction") == "auto":
        spec = {**spec, "config": {**spec["config"], "reduction": "sum_over_batch_size"}}
    return losses.get(spec)


def _metric_names(value):
    """Metric names of one output from Keras's forms (names, wrapper objects, nested lists)."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    flat = []
    for item in items:
        if isinstance(item, list):
            flat += _metric_names(item)
        elif isinstance(item, dict):
            flat.append((item.get("config") or {}).get("name") or item["class_name"])
        else:
            flat.append(item)
    return [name for name in flat if name not in ("loss",)]


def save_keras_archive(model, path):
    """Write ``model`` as a Keras 3 ``.keras`` archive (atomic; nothing written on refusal)."""
    import h5py
    model._require_built("save")
    config = config_export.model_config(model)
    training = config_export.compile_config(model)
    if training is not None:
        config["compile_config"] = training
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as file:
        weights.write_keras3_weights(file, model)
        assets.write_lookup_weights(file, model)
    metadata = {"keras_version": KERAS_VERSION_WRITTEN, "date_saved":
                datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}
    archive.write_archive(path, config, metadata, buffer.getvalue(), assets.asset_members(model))


def save_keras_weights(model, path):
    """Write ``model``'s weights as Keras 3's ``.weights.h5`` (atomic)."""
    import h5py
    model._require_built("save_weights")

    def write(tmp_path):
        with h5py.File(tmp_path, "w") as file:
            weights.write_keras3_weights(file, model)
            assets.write_lookup_weights(file, model)
    atomic_write(path, write)
