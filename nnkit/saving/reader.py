"""CheckpointReader: reads an nnkit HDF5 file defensively.

Everything read is checked before use: links must be hard links inside the
file (no external or soft links), datasets must be plain (no external storage,
no virtual sources) with a numeric dtype and exactly the expected shape, and
configs are JSON naming only registered classes. Any problem becomes a
``CheckpointError`` naming the file and what was wrong.
"""
import json

import numpy

from nnkit import losses, optimizers
from nnkit.errors import CheckpointError, NnkitError
from nnkit.layers.base import restoring_weights
from nnkit.saving.format import FORMAT_NAME, FORMAT_VERSION, MAX_JSON_BYTES

_CONVERTED = (OSError, KeyError, ValueError, TypeError, AttributeError, IndexError,
              RecursionError, OverflowError, MemoryError, RuntimeError, NnkitError)


class CheckpointReader:
    """Context manager over an open checkpoint; every failure is a CheckpointError."""

    def __init__(self, path):
        self.path = str(path)
        self.file = None

    def __enter__(self):
        import h5py
        try:
            self.file = h5py.File(self.path, "r")
        except (OSError, ValueError) as error:
            raise CheckpointError(f"cannot open checkpoint {self.path!r}: {error}") from None
        try:
            self._check_header()
        except BaseException as error:
            self.file.close()
            if isinstance(error, _CONVERTED) and not isinstance(error, CheckpointError):
                raise CheckpointError(f"checkpoint {self.path!r} is invalid: "
                                      f"{type(error).__name__}: {error}") from error
            raise
        return self

    def __exit__(self, kind, error, traceback):
        self.file.close()
        if error is not None and isinstance(error, _CONVERTED) and \
                not isinstance(error, CheckpointError):
            raise CheckpointError(f"checkpoint {self.path!r} is invalid: "
                                  f"{type(error).__name__}: {error}") from error
        return False

    def fail(self, message):
        raise CheckpointError(f"checkpoint {self.path!r}: {message}")

    # ---- primitives ------------------------------------------------------
    def attribute(self, name, kind, required=True):
        if name not in self.file.attrs:
            if required:
                self.fail(f"missing attribute {name!r}")
            return None
        value = self.file.attrs[name]
        if isinstance(value, bytes):
            value = value.decode("utf-8")
        if kind is str and not isinstance(value, str):
            self.fail(f"attribute {name!r} should be text, found {type(value).__name__}")
        if kind is int:
            if not isinstance(value, (int, numpy.integer)) or isinstance(value, bool):
                self.fail(f"attribute {name!r} should be an integer, found {value!r}")
            value = int(value)
        return value

    def json_attribute(self, name, required=True):
        text = self.attribute(name, str, required)
        return None if text is None else self._parse_json(text, name)

    def _parse_json(self, text, what):
        if len(text) > MAX_JSON_BYTES:
            self.fail(f"{what} is larger than {MAX_JSON_BYTES} bytes")
        try:
            return json.loads(text)
        except (ValueError, RecursionError) as error:
            self.fail(f"{what} is not valid JSON ({error})")

    def node(self, path):
        """The object at ``path``, reached only through hard links."""
        import h5py
        current = self.file
        for part in path.strip("/").split("/"):
            if not isinstance(current, h5py.Group):
                self.fail(f"{path!r}: {current.name!r} is not a group")
            link = current.get(part, getlink=True)
            if link is None:
                self.fail(f"missing {path!r}")
            if not isinstance(link, h5py.HardLink):
                self.fail(f"{path!r} is a {type(link).__name__}; only hard links are allowed")
            current = current[part]
        return current

    def has(self, path):
        """Whether ``path`` exists; a link of another kind on the way is an error, not absence."""
        import h5py
        current = self.file
        for part in path.strip("/").split("/"):
            if not isinstance(current, h5py.Group) or current.get(part, getlink=True) is None:
                return False
            current = self.node(f"{current.name}/{part}")
        return True

    def dataset(self, path):
        """The dataset at ``path``: plain, stored in this file, uncompressed and fully written.

        nnkit never compresses, so a filter is refused (no decompression bombs), and
        a dataset whose declared size exceeds what is stored is refused before any
        allocation.
        """
        import h5py
        dataset = self.node(path)
        if not isinstance(dataset, h5py.Dataset):
            self.fail(f"{path!r} is not a dataset")
        if dataset.is_virtual or dataset.external:
            self.fail(f"{path!r} refers to data outside the file")
        if dataset.compression is not None or dataset.id.get_create_plist().get_nfilters():
            self.fail(f"{path!r} is compressed or filtered; nnkit writes plain datasets")
        nbytes = int(numpy.prod(dataset.shape, dtype=object)) * dataset.dtype.itemsize
        if nbytes and dataset.id.get_storage_size() < nbytes:
            self.fail(f"{path!r} declares {nbytes} bytes but stores "
                      f"{dataset.id.get_storage_size()}")
        return dataset

    def array(self, path, shape, kinds="f", max_size=None):
        """Read dataset ``path`` after checking it is plain, numeric and of ``shape``."""
        dataset = self.dataset(path)
        if dataset.dtype.kind not in kinds or dataset.dtype.fields is not None or \
                dataset.dtype.subdtype is not None:
            self.fail(f"{path!r} has dtype {dataset.dtype}, expected kind {kinds!r}")
        if shape is not None and tuple(dataset.shape) != tuple(shape):
            self.fail(f"{path!r} has shape {tuple(dataset.shape)}, expected {tuple(shape)}")
        if max_size is not None and dataset.size > max_size:
            self.fail(f"{path!r} has {dataset.size} elements, more than {max_size}")
        value = dataset[()]
        if dataset.dtype.kind == "f" and not numpy.isfinite(value).all():
            self.fail(f"{path!r} contains NaN or infinite values")
        return value

    # ---- sections --------------------------------------------------------
    def _check_header(self):
        name = self.attribute("format", str)
        if name != FORMAT_NAME:
            self.fail(f"not an nnkit checkpoint (format {name!r})")
        version = self.attribute("format_version", int)
        if version > FORMAT_VERSION:
            self.fail(f"format version {version} is newer than this nnkit reads "
                      f"({FORMAT_VERSION}); upgrade nnkit to load it")
        if version < 1:
            self.fail(f"invalid format version {version}")

    def _stored_weight_elements(self):
        import h5py
        total = 0
        group = self.node("model_weights")

        def count(name, obj):
            nonlocal total
            if isinstance(obj, h5py.Dataset):
                total += int(numpy.prod(self.dataset(f"model_weights/{name}").shape,
                                        dtype=object))
        group.visititems(count)
        return total

    def build_model(self):
        """The model described by ``model_config``, built from registered classes only."""
        from nnkit.registry import LAYERS
        spec = self.json_attribute("model_config")
        if not isinstance(spec, dict) or not isinstance(spec.get("config"), dict):
            self.fail("model_config must be {'class_name': ..., 'config': {...}}")
        model_class = LAYERS.get(spec.get("class_name"))
        if not getattr(model_class, "is_model", False):
            self.fail(f"model_config names {spec.get('class_name')!r}, which is not a model class")
        config = spec["config"]
        if not isinstance(config.get("layers"), list) or not config["layers"]:
            self.fail("model_config has no layers")
        for layer in config["layers"]:
            if not isinstance(layer, dict) or not isinstance(layer.get("config"), dict):
                self.fail("each layer config must be {'class_name': ..., 'config': {...}}")
        with restoring_weights(self._stored_weight_elements()):
            model = model_class.from_config(config)
        if not model.built:
            self.fail("model_config has no build_input_shape")
        return model

    def stored_layer_names(self):
        """Names of the saved model's layers, in order (from ``model_config``)."""
        spec = self.json_attribute("model_config")
        try:
            names = [layer["config"]["name"] for layer in spec["config"]["layers"]]
        except (KeyError, TypeError):
            self.fail("model_config does not list its layers with names")
        if not all(isinstance(name, str) for name in names):
            self.fail("model_config has a layer name that is not text")
        return names

    def read_weights(self, model):
        """Copy the stored weights into ``model``, matching layers by position (as Keras)."""
        names = self.stored_layer_names()
        if len(names) != len(model.layers):
            self.fail(f"holds {len(names)} layers, the model has {len(model.layers)}")
        for name, layer in zip(names, model.layers):
            layer.set_weights([self.array(f"model_weights/{name}/{key}", value.shape)
                               for key, value in layer.params.items()])

    def has_training_config(self):
        return "training_config" in self.file.attrs

    def compile(self, model):
        config = self.json_attribute("training_config")
        if not isinstance(config, dict) or not isinstance(config.get("optimizer"), dict):
            self.fail("training_config must hold loss, metrics and optimizer")
        optimizer_spec = config["optimizer"]
        optimizer_class = optimizers.OPTIMIZERS.get(optimizer_spec.get("class_name"))
        optimizer = optimizer_class.from_config(dict(optimizer_spec.get("config") or {}))
        loss = config.get("loss")
        if not isinstance(loss, (str, list)):
            self.fail("training_config loss must be a name or a list of names")
        model.compile(optimizer, loss if isinstance(loss, str) else [losses.get(n) for n in loss],
                      config.get("metrics") or None, config.get("loss_weights"))
        self._read_optimizer_state(model)

    def _read_optimizer_state(self, model):
        if not self.has("optimizer"):
            return
        group = self.node("optimizer")
        iterations = group.attrs.get("iterations", 0)
        if not isinstance(iterations, (int, numpy.integer)) or iterations < 0:
            self.fail(f"optimizer iterations must be a non-negative integer, found {iterations!r}")
        params = model.named_parameters()
        slot_names = model.optimizer.slot_names
        stored = dict(zip((layer.name for layer in model.layers), self.stored_layer_names()))

        def path(name):  # slots are stored under the saved layer names, matched by position
            layer, key = name.split("/", 1)
            return f"optimizer/slots/{stored.get(layer, layer)}/{key}"
        slots = {name: {slot: self.array(f"{path(name)}/{slot}", value.shape)
                        for slot in slot_names}
                 for name, value in params.items()
                 if slot_names and self.has(path(name))}
        model.optimizer.set_state({"iterations": int(iterations), "slots": slots}, params)

    def read_tokenizer(self):
        if not self.has("tokenizer"):
            return None
        raw = self.array("tokenizer", None, kinds="u", max_size=MAX_JSON_BYTES)
        if raw.ndim != 1 or raw.dtype.itemsize != 1 or raw.size > MAX_JSON_BYTES:
            self.fail("tokenizer must be a 1-D uint8 array of UTF-8 JSON")
        spec = self._parse_json(raw.tobytes().decode("utf-8"), "tokenizer")
        if not isinstance(spec, dict) or spec.get("class_name") != "Tokenizer" or \
                not isinstance(spec.get("config"), dict):
            self.fail("tokenizer must be {'class_name': 'Tokenizer', 'config': {...}}")
        from nnkit.preprocessing.text import Tokenizer
        return Tokenizer.from_config(spec["config"])

    def rng_state(self):
        state = self.json_attribute("rng_state")
        if not isinstance(state, dict) or state.get("bit_generator") != "PCG64":
            self.fail("rng_state must be a PCG64 generator state")
        return state
