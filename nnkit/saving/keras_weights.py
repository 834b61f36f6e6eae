"""Keras's weight files: the Keras 3 layout (``.weights.h5``, and inside ``.keras``) and Keras 2's.

Keras 3 (``keras.src.saving.saving_lib``) stores a model's layers under
``layers/<key>``, ``<key>`` being the snake-case class name with a counter for
repeats (``dense``, ``dense_1``, ...; so weights match by position, not by the
layers' own names); each object's own weights are ``vars/0, vars/1, ...`` in
``get_weights`` order; a recurrent layer's are its cell's (``cell/vars``), a
Bidirectional's its two layers' (``forward_layer/...``, ``backward_layer/...``),
a TimeDistributed's its layer's (``layer/...``), a nested model's its layers', a
MultiHeadAttention's its four projections' (``query_dense/vars``, ``key_dense``,
``value_dense``, ``output_dense``: kernel then bias), a keras_hub composite's its
children's (under ``keras_child_groups``' names, else the role).

Keras 2 / tf-keras (``model.save("x.h5")``, ``save_weights("x.h5")``) stores
``<root>/<layer name>`` groups with a ``weight_names`` attribute listing the
datasets in ``get_weights`` order, and ``layer_names`` at the root; the layers
that have weights are matched by position (as Keras's ``load_weights``).

Every dataset goes through ``SafeHDF5`` (hard links only, plain storage,
expected shape, finite values).
"""
import numpy

from nnkit.saving.keras_catalogue import EXPORTED
from nnkit.layers.base import _snake_case

_CHILD_GROUPS = {"forward": "forward_layer", "backward": "backward_layer", "layer": "layer"}

#: Keras's sub-layer groups of layers whose weights nnkit keeps in one dict: (group, key prefix)
_SUBLAYER_GROUPS = {"MultiHeadAttention": (("query_dense", "query_"), ("key_dense", "key_"),
                                           ("value_dense", "value_"),
                                           ("output_dense", "attention_output_"))}


def _keras_class(layer):
    return EXPORTED.get(type(layer).__name__, type(layer).__name__)


def container_keys(layers):
    """Keras 3's group key of each layer: snake-case class name, ``_1``, ``_2``... for repeats."""
    counts, keys = {}, []
    for layer in layers:
        base = _snake_case(_keras_class(layer))
        keys.append(base if base not in counts else f"{base}_{counts[base]}")
        counts[base] = counts.get(base, 0) + 1
    return keys


def weight_groups(layer, path):
    """``[(vars group, owner, [owner's param keys])]`` for ``layer`` at ``path``, in Keras 3's
    layout; every object gets its ``vars`` group, empty or not (Keras writes one per object).
    A wrapper owns its children's weights (under ``"<role>/<key>"``)."""
    if getattr(layer, "is_model", False):
        return [(f"{path}/vars", layer, [])] + model_groups(layer, f"{path}/layers")
    children = getattr(layer, "children", None)
    if children is not None:
        found = [(f"{path}/vars", layer, [])]
        names = {**_CHILD_GROUPS, **getattr(layer, "keras_child_groups", {})}
        for role, child in children().items():
            for group, owner, keys in weight_groups(child, f"{path}/{names.get(role, role)}"):
                found.append((group, layer, [f"{role}/{key}" for key in keys])
                             if owner is child else (group, owner, keys))
        return found
    if hasattr(layer, "make_cells"):                       # a recurrent layer: its cell's
        return [(f"{path}/vars", layer, []), (f"{path}/cell/vars", layer, list(layer.params))]
    if _keras_class(layer) in _SUBLAYER_GROUPS:          # MultiHeadAttention's EinsumDenses
        return [(f"{path}/vars", layer, [])] + [
            (f"{path}/{group}/vars", layer, [key for key in layer.params if key.startswith(prefix)])
            for group, prefix in _SUBLAYER_GROUPS[_keras_class(layer)]]
    return [(f"{path}/vars", layer, list(layer.params))]


def model_groups(model, path="layers"):
    """The groups of every layer of ``model``, the layers taken in Keras's order."""
    groups = []
    for layer, key in zip(model.layers, container_keys(model.layers)):
        groups += weight_groups(layer, f"{path}/{key}")
    return groups


def read_keras3_weights(reader, model):
    """Copy a Keras 3 layout into ``model``; the first layer whose shapes differ is named."""
    assignments = {}
    for group, layer, keys in model_groups(model):
        if not keys:
            continue
        group = _present_group(reader, _renamed_group(reader, group, layer))
        for index, key in enumerate(keys):
            expected = layer.params[key].shape
            path = f"{group}/{index}"
            if not reader.has(path):
                _shape_mismatch(reader, layer, f"{group} has {index} weights, the layer "
                                               f"needs {len(keys)}")
            stored = reader.dataset(path).shape
            if tuple(stored) != tuple(expected):
                _shape_mismatch(reader, layer, f"weight {key!r}: file has {tuple(stored)}, "
                                               f"model has {tuple(expected)}")
            assignments.setdefault(id(layer), (layer, {}))[1][key] = reader.array(path, expected)
    for layer, values in assignments.values():
        layer.set_weights([values[key] for key in layer.params])


def _renamed_group(reader, group, layer):
    """``group``, or where its top-level key is absent, the key whose ``vars`` carry the
    layer's name (Keras keys by its own class: ``RNN(LSTMCell)`` is ``rnn``, nnkit's ``lstm``)."""
    top, _, rest = group.partition("/")[2].partition("/")
    if reader.has(f"layers/{top}") or not reader.has("layers"):
        return group
    for key in reader.node("layers"):
        if reader.has(f"layers/{key}/vars") and \
                reader.node(f"layers/{key}/vars").attrs.get("name") == layer.name:
            return f"layers/{key}/{rest}"
    return group


def _present_group(reader, group):
    """``group``, or for a cell's weights the layer's own ``vars`` (Keras 3.0-3.3 files)."""
    if reader.has(f"{group}/0") or not group.endswith("/cell/vars"):
        return group
    fallback = group[:-len("/cell/vars")] + "/vars"
    return fallback if reader.has(f"{fallback}/0") else group


def _shape_mismatch(reader, layer, message):
    reader.fail(f"layer '{layer.name}' ({type(layer).__name__}) does not match the file: "
                f"{message}")


def read_legacy_weights(reader, model, root):
    """Copy Keras 2's ``<root>/<layer>`` groups into ``model``, layers with weights by position."""
    names = reader.text_list_attribute(root, "layer_names")
    stored = []
    for name in names:
        weight_names = reader.text_list_attribute(f"{root}/{name}", "weight_names")
        if weight_names:
            stored.append((name, weight_names))
    layers = [layer for layer in model.layers if layer.params]
    if len(stored) != len(layers):
        reader.fail(f"holds weights for {len(stored)} layers, the model has {len(layers)} "
                    f"layers with weights")
    for (name, weight_names), layer in zip(stored, layers):
        if len(weight_names) != len(layer.params):
            _shape_mismatch(reader, layer, f"Keras layer {name!r} has {len(weight_names)} "
                                           f"weights, the layer needs {len(layer.params)}")
        values = []
        for weight_name, (key, value) in zip(weight_names, layer.params.items()):
            path = f"{root}/{name}/{weight_name}"
            shape = reader.dataset(path).shape
            if tuple(shape) != tuple(value.shape):
                _shape_mismatch(reader, layer, f"weight {key!r}: file has {tuple(shape)} "
                                               f"({weight_name}), model has {tuple(value.shape)}")
            values.append(reader.array(path, value.shape))
        layer.set_weights(values)


def write_keras3_weights(file, model):
    """Write ``model``'s weights in Keras 3's layout into the open h5py ``file``."""
    file.create_group("vars").attrs["name"] = model.name
    for group, layer, keys in model_groups(model):
        vars_group = file.require_group(group)
        vars_group.attrs["name"] = layer.name
        weights = dict(zip(layer.params, layer.get_weights()))
        for index, key in enumerate(keys):
            vars_group.create_dataset(str(index), data=numpy.asarray(weights[key]))
