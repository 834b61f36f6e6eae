"""The vocabularies of ``TextVectorization`` / ``StringLookup`` / ``IntegerLookup`` in a ``.keras``
file, where Keras 3 (``saving_lib``, ``IndexLookup.save_assets``) puts them:

- ``assets/<layer path>/vocabulary.txt``: every index's token (special ones included), one a
  line, joined by "\\n" (UTF-8; integers as decimal text). A layer given ``vocabulary=``
  keeps it in its config instead and writes no file. Keras reads the file back with Python's
  ``splitlines``, which also breaks at "\\r", "\\x85", "\\u2028", ...: real text has such
  tokens (IMDB reviews hold "\\x85"), and Keras 3.15 then misreads its own file. nnkit splits
  at "\\n" only (the inverse of the join), so those vocabularies load exactly; it warns when
  it writes one (Keras will misread it) and refuses a token holding "\\n".
- ``tf_idf``: the idf weights ``(V,)`` in the weights file, ``<layer path>/vars/idf_weights``.
- a ``TextVectorization`` holds a ``StringLookup`` (``_lookup_layer``): Keras writes both the
  vocabulary and the ``vars`` group twice, under ``<layer path>`` and
  ``<layer path>/_lookup_layer``; nnkit writes both and reads the first.

``<layer path>`` is the layer's group in Keras's weights layout (``layers/text_vectorization``).
"""
import warnings

import numpy

from nnkit.errors import CheckpointError, NnkitError
from nnkit.saving.keras_weights import model_groups

LOOKUP_CLASSES = ("TextVectorization", "StringLookup", "IntegerLookup")
VOCABULARY = "vocabulary.txt"
INNER_LOOKUP = "_lookup_layer"
#: what Python's ``str.splitlines`` (Keras's reader) breaks lines at besides "\n"
_KERAS_LINE_BREAKS = "\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"


def lookup_layers(model):
    """``[(layer path, layer)]`` of the model's lookup layers, nested models included."""
    return [(group[:-len("/vars")], layer) for group, layer, _ in model_groups(model)
            if type(layer).__name__ in LOOKUP_CLASSES and group.endswith("/vars")]


def _vocabulary_text(layer):
    tokens = [str(token) for token in layer.get_vocabulary()]
    where = f"layer '{layer.name}' ({type(layer).__name__})"
    broken = [token for token in tokens if "\n" in token]
    if broken:
        raise CheckpointError(f"{where}: the token {broken[0]!r} holds a line break, which "
                              f"Keras's vocabulary.txt cannot store; save the model as nnkit "
                              f"HDF5 (.h5) instead")
    misread = [token for token in tokens if any(c in _KERAS_LINE_BREAKS for c in token)]
    if misread:
        warnings.warn(f"{where}: {len(misread)} tokens (such as {misread[0]!r}) hold characters "
                      f"Keras 3.15 reads as line breaks; nnkit loads this .keras file exactly, "
                      f"Keras will misread its vocabulary", stacklevel=4)
    return "\n".join(tokens).encode("utf-8")


def asset_members(model):
    """``{zip member name: bytes}`` of every lookup layer's vocabulary file."""
    members = {}
    for path, layer in lookup_layers(model):
        if layer.input_vocabulary is not None:
            continue
        text = _vocabulary_text(layer)
        members[f"assets/{path}/{VOCABULARY}"] = text
        if type(layer).__name__ == "TextVectorization":
            members[f"assets/{path}/{INNER_LOOKUP}/{VOCABULARY}"] = text
    return members


def write_lookup_weights(file, model):
    """Add the lookup layers' groups Keras writes to the open h5py weights ``file``."""
    for path, layer in lookup_layers(model):
        groups = [file.require_group(f"{path}/vars")]
        if type(layer).__name__ == "TextVectorization":
            inner = file.require_group(f"{path}/{INNER_LOOKUP}/vars")
            inner.attrs["name"] = f"{layer.name}_lookup"
            groups.append(inner)
        idf = layer.get_assets()["idf_weights"]
        if layer.output_mode == "tf_idf" and idf is not None:
            for group in groups:
                group.create_dataset("idf_weights", data=numpy.asarray(idf, dtype="float32"))


def _parse_vocabulary(member, data, layer):
    try:
        lines = data.decode("utf-8").split("\n")
    except UnicodeDecodeError as error:
        raise CheckpointError(f"Keras file: {member} is not UTF-8 ({error})") from None
    while lines and lines[-1] == "":
        lines.pop()
    if type(layer).__name__ != "IntegerLookup":
        return lines
    try:
        return [int(line) for line in lines]
    except ValueError as error:
        raise CheckpointError(f"Keras file: {member} must hold one integer a line "
                              f"({error})") from None


def needed_members(model):
    """The vocabulary members a loaded ``model`` reads: ``[(member, layer path, layer)]``."""
    return [(f"assets/{path}/{VOCABULARY}", path, layer) for path, layer in lookup_layers(model)
            if layer.input_vocabulary is None]


def restore_vocabularies(model, members, reader):
    """Give the loaded ``model``'s lookup layers their vocabularies: ``members`` maps each
    ``needed_members`` name to its bytes (None when absent); ``reader`` is the weights file.

    Raises:
        CheckpointError: a missing or malformed vocabulary or idf weights, or one the layer
            refuses (repeated tokens, larger than ``max_tokens``, ...), named.
    """
    for member, path, layer in needed_members(model):
        data = members.get(member)
        if data is None:
            raise CheckpointError(f"Keras file: layer '{layer.name}' has no vocabulary "
                                  f"({member} is missing)")
        vocabulary = _parse_vocabulary(member, data, layer)
        idf = None
        if layer.output_mode == "tf_idf":
            weights = f"{path}/vars/idf_weights"
            if not reader.has(weights):
                raise CheckpointError(f"Keras file: tf_idf layer '{layer.name}' has no "
                                      f"{weights} in its weights file")
            idf = reader.array(weights, None, max_size=len(vocabulary) + (layer.max_tokens or 0))
            idf = [float(value) for value in numpy.asarray(idf).reshape(-1)]
        try:
            layer.set_assets({"vocabulary": vocabulary, "idf_weights": idf})
        except (NnkitError, TypeError, ValueError) as error:
            raise CheckpointError(f"Keras file: {member} does not fit layer '{layer.name}': "
                                  f"{type(error).__name__}: {error}") from None
