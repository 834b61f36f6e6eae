"""CheckpointReader: reads an nnkit HDF5 file defensively (checks in ``SafeHDF5``).

Configs are JSON naming only registered classes; any problem becomes a
``CheckpointError`` naming the file and what was wrong.
"""
from nnkit import losses, optimizers
from nnkit.errors import NnkitError
from nnkit.layers.base import restoring_weights
from nnkit.saving.format import FORMAT_NAME, FORMAT_VERSION, MAX_JSON_BYTES
from nnkit.saving.safe_hdf5 import SafeHDF5


class CheckpointReader(SafeHDF5):
    """An nnkit checkpoint: header, model config, weights, optimizer, tokenizer."""

    def check(self):
        name = self.attribute("format", str)
        if name != FORMAT_NAME:
            self.fail(f"not an nnkit checkpoint (format {name!r})")
        version = self.attribute("format_version", int)
        if version > FORMAT_VERSION:
            self.fail(f"format version {version} is newer than this nnkit reads "
                      f"({FORMAT_VERSION}); upgrade nnkit to load it")
        if version < 1:
            self.fail(f"invalid format version {version}")

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
        with restoring_weights(self.stored_elements("model_weights")):
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
            if callable(getattr(layer, "set_assets", None)) and self.has(f"assets/{name}"):
                self._read_assets(layer, f"assets/{name}")

    def _read_assets(self, layer, path):
        """Give ``layer`` its non-float state (a vocabulary): UTF-8 JSON in a uint8 dataset."""
        raw = self.array(path, None, kinds="u", max_size=MAX_JSON_BYTES)
        if raw.ndim != 1 or raw.dtype.itemsize != 1:
            self.fail(f"{path} must be a 1-D uint8 array of UTF-8 JSON")
        try:
            text = raw.tobytes().decode("utf-8")
        except UnicodeDecodeError as error:
            self.fail(f"{path} is not UTF-8 ({error})")
        assets = self._parse_json(text, path)
        if not isinstance(assets, dict):
            self.fail(f"{path} must hold a JSON object")
        try:
            layer.set_assets(assets)
        except (NnkitError, KeyError, TypeError, ValueError) as error:
            self.fail(f"{path} does not fit layer '{layer.name}': {type(error).__name__}: {error}")

    def has_training_config(self):
        return "training_config" in self.file.attrs

    def compile(self, model):
        config = self.json_attribute("training_config")
        if not isinstance(config, dict) or not isinstance(config.get("optimizer"), dict):
            self.fail("training_config must hold loss, metrics and optimizer")
        optimizer_spec = config["optimizer"]
        optimizer_class = optimizers.OPTIMIZERS.get(optimizer_spec.get("class_name"))
        optimizer = optimizer_class.from_config(dict(optimizer_spec.get("config") or {}))
        model.compile(optimizer, self._losses(config.get("loss")),
                      config.get("metrics") or None, config.get("loss_weights"))
        self._read_optimizer_state(model)

    def _losses(self, stored):
        """The Loss (or list of Losses, one per output) of a training config's ``loss``: a
        name, a ``{"class_name", "config"}`` dict, or a list of those."""
        entries = stored if isinstance(stored, list) else [stored]
        if not entries or not all(isinstance(entry, str) or (isinstance(entry, dict) and
                                                            "class_name" in entry)
                                  for entry in entries):
            self.fail(f"training_config loss must be a name, a {{'class_name', 'config'}} "
                      f"dict or a list of those, found {stored!r}")
        try:
            built = [losses.get(entry) for entry in entries]
        except (NnkitError, TypeError, ValueError) as error:
            self.fail(f"training_config loss {stored!r} cannot be built: {error}")
        return built if isinstance(stored, list) else built[0]

    def _read_optimizer_state(self, model):
        if not self.has("optimizer"):
            return
        iterations = self.attribute("iterations", int, required=False, path="optimizer") or 0
        if iterations < 0:
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
