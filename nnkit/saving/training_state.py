"""The ``/training_state`` group: where an interrupted ``fit`` stopped.

::

    /training_state            attrs: state (JSON, below), state_version (int)
    /training_state/order          int64 (S,)  the current epoch's shuffle order,
                                               batches concatenated
    /training_state/batch_lengths  int64 (B,)  size of each of the epoch's batches

``state`` holds ``epoch``, ``step`` (index of the last finished batch, -1 for
none), ``num_examples``, ``batch_size``, ``shuffle``, ``learning_rate``,
``tracker`` (running loss sum, normaliser and metric counters of the epoch),
``history`` (``{"epoch": [...], "history": {key: [...]}}``) and ``callbacks``
(``{"<index>:<class>": state}``). The generator state at that moment is the
file's ``rng_state`` attribute; weights and optimizer state are the usual groups.
"""
import json

import numpy

from nnkit.saving import checksum
from nnkit.saving.format import MAX_JSON_BYTES

GROUP = "training_state"
STATE_VERSION = 1
MAX_ORDER = 1 << 31


def write_training_state(file, state, order, lengths):
    group = file.create_group(GROUP)
    checksum.write_attribute(group, "state_version", STATE_VERSION)
    checksum.write_attribute(group, "state", json.dumps(state))
    checksum.write_dataset(group, "order", numpy.asarray(order, dtype="int64"))
    checksum.write_dataset(group, "batch_lengths", numpy.asarray(lengths, dtype="int64"))


def read_training_state(reader):
    """``{"state": dict, "order": int64 (S,), "lengths": int64 (B,)}``, all checked."""
    if not reader.has(GROUP):
        reader.fail("has no training state (write it with nnkit.callbacks.BackupAndRestore)")
    version = reader.attribute("state_version", int, path=GROUP)
    if not 1 <= version <= STATE_VERSION:
        reader.fail(f"training_state version {version!r} is not one this nnkit reads "
                    f"({STATE_VERSION})")
    text = reader.attribute("state", str, path=GROUP)
    if len(text) > MAX_JSON_BYTES:
        reader.fail("training_state/state must be JSON text")
    state = reader._parse_json(text, "training_state/state")
    order = reader.array(f"{GROUP}/order", None, kinds="iu", max_size=MAX_ORDER)
    lengths = reader.array(f"{GROUP}/batch_lengths", None, kinds="iu", max_size=MAX_ORDER)
    if order.ndim != 1 or lengths.ndim != 1 or lengths.size == 0 or (lengths <= 0).any() \
            or int(lengths.sum()) != order.size or (order < 0).any():
        reader.fail("training_state order/batch_lengths are inconsistent")
    _check_state(reader, state, lengths.size)
    return {"state": state, "order": order.astype("int64"), "lengths": lengths.astype("int64")}


def _check_state(reader, state, batches):
    expected = {"epoch": int, "step": int, "num_examples": int, "batch_size": int,
                "learning_rate": float, "tracker": dict, "history": dict, "callbacks": dict}
    if not isinstance(state, dict):
        reader.fail("training_state/state must be a JSON object")
    for key, kind in expected.items():
        value = state.get(key)
        ok = isinstance(value, (int, float) if kind is float else kind) and \
            not isinstance(value, bool)
        if not ok:
            reader.fail(f"training_state/state[{key!r}] must be {kind.__name__}, found "
                        f"{type(value).__name__}")
    if state["epoch"] < 0 or not -1 <= state["step"] < batches:
        reader.fail(f"training_state epoch {state['epoch']} / step {state['step']} out of range "
                    f"({batches} batches)")
    if state.get("shuffle") not in (True, False, "bucket"):
        reader.fail("training_state/state['shuffle'] must be true, false or 'bucket'")
    tracker, history = state["tracker"], state["history"]
    if "outputs" not in tracker and "loss_sum" in tracker:     # written before graph models
        tracker = state["tracker"] = {"outputs": [tracker]}
    if not isinstance(tracker.get("outputs"), list) or not all(
            isinstance(output, dict) and isinstance(output.get("metrics"), list)
            and all(isinstance(m, dict) for m in output["metrics"])
            and isinstance(output.get("loss_sum"), (int, float))
            and isinstance(output.get("count"), (int, float)) for output in tracker["outputs"]):
        reader.fail("training_state tracker is malformed")
    if not isinstance(history.get("epoch"), list) or not isinstance(history.get("history"), dict) \
            or not all(isinstance(v, list) for v in history["history"].values()):
        reader.fail("training_state history is malformed")
