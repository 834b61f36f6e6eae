"""Fuzz nnkit's checkpoint loader with mutated files: each load works or raises CheckpointError.

Valid checkpoints (an MLP with Adam state and a tokenizer, an Embedding→LSTM
model, a weights-only file, a BackupAndRestore file with /training_state) are
mutated: byte flips, truncations at random offsets, and h5py-level changes
(deleted or replaced datasets, other dtypes and shapes, string/compound/vlen
data, groups for datasets, external and soft links, external and virtual
storage, compressed "bombs", changed or removed attributes, unknown classes,
absurd sizes, newer format versions, giant and deeply nested JSON, pickle
payloads). Keras's files are fuzzed too: a tf-keras full-model ``.h5`` gets the
same HDF5 mutations; ``.keras`` archives (a Sequential and a functional model
with Keras 3's mask nodes) get byte flips, truncations, ``..`` and absolute
member names, Lambda layers with marshalled code, unknown classes, function
objects as activations, garbage or deep JSON, missing members, inflation
bombs, and their weights member replaced by an HDF5-mutated one. A worker process loads each file (``load_model`` and, when present,
the resume state) under a memory limit; the parent gives each case a time
limit and restarts the worker after a hang or a crash.

    python benchmarks/fuzz_loader.py --cases 1000 [--seed 0] [--timeout 10]

Exit status 0 when every outcome is "ok" or "CheckpointError".
tests/test_checkpoint_fuzz.py runs the same harness with fewer cases.
"""
import argparse
import collections
import json
import os
import pathlib
import pickle
import random
import select
import subprocess
import sys
import tempfile
import time

import numpy

REPO = pathlib.Path(__file__).resolve().parents[1]
MARKER_NAME = "PWNED"


# ---- valid seed files ------------------------------------------------------------
def make_seeds(folder):
    import nnkit
    from nnkit.callbacks import BackupAndRestore
    from nnkit.preprocessing.text import Tokenizer
    nnkit.set_seed(0)
    rng = numpy.random.default_rng(0)
    x, y = rng.normal(size=(20, 4)), rng.integers(0, 3, size=20)
    mlp = nnkit.Sequential([nnkit.Dense(5, activation="relu", input_shape=(4,), name="d1"),
                            nnkit.Dense(3, activation="softmax", name="d2")])
    mlp.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    mlp.fit(x, y, epochs=1, batch_size=8, verbose=0)
    tokenizer = Tokenizer()
    tokenizer.fit_on_texts(["the cat", "a dog"])
    seeds = {"mlp": os.path.join(folder, "mlp.h5"), "weights": os.path.join(folder, "w.h5"),
             "rnn": os.path.join(folder, "rnn.h5"), "resume": os.path.join(folder, "resume.h5")}
    mlp.save(seeds["mlp"], tokenizer=tokenizer)
    mlp.save_weights(seeds["weights"])
    ids = rng.integers(0, 9, size=(16, 5))
    rnn = nnkit.Sequential([nnkit.Embedding(9, 3, mask_zero=True, input_shape=(5,), name="e"),
                            nnkit.LSTM(2, name="l"), nnkit.Dense(2, activation="softmax",
                                                                 name="o")])
    rnn.compile("rmsprop", "sparse_categorical_crossentropy")
    rnn.fit(ids, ids[:, 0] % 2, epochs=1, batch_size=8, verbose=0,
            callbacks=[BackupAndRestore(seeds["resume"], save_freq=1,
                                        delete_checkpoint=False)])
    rnn.save(seeds["rnn"])
    keras_files = REPO / "tests" / "fixtures" / "keras_files"
    seeds.update({"keras2_h5": str(keras_files / "keras2_imdb_lstm.h5"),
                  "keras3_sequential": str(keras_files / "keras3_imdb_lstm.keras"),
                  "keras3_functional": str(keras_files / "keras3_tokens_and_features.keras")})
    return seeds


# ---- mutations -------------------------------------------------------------------
def _datasets(file):
    import h5py
    found = []
    file.visititems(lambda name, obj: found.append(name) if isinstance(obj, h5py.Dataset)
                    else None)
    return found


def _deep_json(depth):
    return "[" * depth + "]" * depth


def _replace(file, name, **kwargs):
    del file[name]
    file.create_dataset(name, **kwargs)


def mutate_structure(file, rng, folder):
    """Apply one random h5py-level mutation to an open (r+) file; return its name."""
    import h5py
    names = _datasets(file)
    name = rng.choice(names) if names else None
    shape = file[name].shape if name else ()
    choices = {
        "delete_dataset": lambda: file.__delitem__(name),
        "wrong_shape": lambda: _replace(file, name, data=numpy.zeros(
            tuple(s + rng.randint(1, 3) for s in shape) or (2,), "float32")),
        "wrong_rank": lambda: _replace(file, name, data=numpy.zeros(shape + (1,), "float32")),
        "int_dtype": lambda: _replace(file, name, data=numpy.ones(shape, "int32")),
        "string_dtype": lambda: _replace(file, name, data=numpy.full(shape, b"x", "S3")),
        "vlen_string": lambda: _replace(file, name, shape=shape or (1,),
                                        dtype=h5py.string_dtype()),
        "compound": lambda: _replace(file, name, shape=shape, dtype=numpy.dtype(
            [("a", "f4"), ("b", "i4")])),
        "bool_dtype": lambda: _replace(file, name, data=numpy.ones(shape, bool)),
        "complex_dtype": lambda: _replace(file, name, data=numpy.ones(shape, "complex64")),
        "nan_values": lambda: _replace(file, name, data=numpy.full(shape, numpy.nan, "f4")),
        "group_instead": lambda: (file.__delitem__(name), file.create_group(name)),
        "soft_link": lambda: (file.__delitem__(name),
                              file.__setitem__(name, h5py.SoftLink("/" + names[0]))),
        "external_link": lambda: (file.__delitem__(name), file.__setitem__(
            name, h5py.ExternalLink("/etc/passwd", "/x"))),
        "external_storage": lambda: _replace(file, name, shape=shape, dtype="f4",
                                             external=[(os.path.join(folder, "ext.bin"), 0,
                                                        h5py.h5f.UNLIMITED)]),
        "virtual": lambda: _virtual(file, name, shape),
        "compressed_bomb": lambda: _replace(file, name, shape=(4096, 1 << 20), dtype="f4",
                                            chunks=(64, 1 << 14), compression="gzip",
                                            fillvalue=1.0),
        "unallocated_huge": lambda: _replace(file, name, shape=(1 << 40,), dtype="u1"),
        "format_version": lambda: file.attrs.__setitem__("format_version", 99),
        "format_version_str": lambda: file.attrs.__setitem__("format_version", "1"),
        "format_name": lambda: file.attrs.__setitem__("format", "keras"),
        "delete_attr": lambda: file.attrs.__delitem__(rng.choice(list(file.attrs)))
        if len(file.attrs) else None,
        "config_garbage": lambda: file.attrs.__setitem__("model_config", "{not json"),
        "config_unknown_class": lambda: _edit_config(file, lambda c: c["config"]["layers"][0]
                                                     .__setitem__("class_name", "os.system")),
        "config_absurd_units": lambda: _edit_config(file, lambda c: c["config"]["layers"][-1][
            "config"].__setitem__("units", 10 ** 12)),
        "config_absurd_input": lambda: _edit_config(file, lambda c: c["config"].__setitem__(
            "build_input_shape", [10 ** 9])),
        "config_bad_kwarg": lambda: _edit_config(file, lambda c: c["config"]["layers"][0][
            "config"].__setitem__("evil", "__import__('os')")),
        "config_negative": lambda: _edit_config(file, lambda c: c["config"]["layers"][0][
            "config"].__setitem__("name", 5)),
        "deep_json": lambda: file.attrs.__setitem__("model_config", _deep_json(100000)),
        "giant_json": lambda: file.attrs.__setitem__(
            "model_config", json.dumps({"class_name": "Sequential", "pad": "x" * (1 << 22)})),
        "training_config": lambda: file.attrs.__setitem__("training_config", json.dumps(
            {"loss": "nope", "optimizer": {"class_name": "Evil", "config": {}}})),
        "rng_state": lambda: file.attrs.__setitem__("rng_state", json.dumps(
            {"bit_generator": "PCG64", "state": {"state": -1, "inc": "x"}})),
        "pickle_payload": lambda: file.attrs.__setitem__("model_config", numpy.void(
            pickle.dumps(_Payload(os.path.join(folder, MARKER_NAME))))),
        "iterations": lambda: file["optimizer"].attrs.__setitem__("iterations", -5)
        if "optimizer" in file else None,
        "training_state_json": lambda: file["training_state"].attrs.__setitem__(
            "state", json.dumps({"epoch": -1, "step": 10 ** 9}))
        if "training_state" in file else None,
        "training_order": lambda: _replace(file, "training_state/order",
                                           data=numpy.full(shape or (3,), 10 ** 12, "int64"))
        if "training_state" in file else None,
    }
    kind = rng.choice(sorted(choices))
    choices[kind]()
    return kind


class _Payload:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _virtual(file, name, shape):
    import h5py
    layout = h5py.VirtualLayout(shape=shape or (1,), dtype="f4")
    layout[...] = h5py.VirtualSource("/etc/passwd", "x", shape=shape or (1,))
    del file[name]
    file.create_virtual_dataset(name, layout, fillvalue=0)


def _edit_config(file, edit):
    if "model_config" not in file.attrs:      # a Keras 3 weights file has no config
        return
    config = json.loads(file.attrs["model_config"])
    edit(config)
    file.attrs["model_config"] = json.dumps(config)


def _members(source):
    import zipfile
    with zipfile.ZipFile(source) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _write_members(path, members, compression=0):
    import zipfile
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _archive_config(members, edit):
    config = json.loads(members["config.json"])
    edit(config)
    members["config.json"] = json.dumps(config).encode()


def _first_layer_config(config):
    return config["config"]["layers"][1]["config"]


def mutate_archive(source, path, rng, folder):
    """Write a mutated copy of the ``.keras`` archive ``source`` to ``path``; return its kind."""
    import h5py
    import zipfile
    members = _members(source)
    lambda_layer = {"module": "keras.layers", "class_name": "Lambda", "config": {
        "name": "lambda", "function": {"class_name": "__lambda__", "config": {
            "code": "4wEAAAAAAAAAAAAAAAEAAAADAAAA8wYAAACXAHwAUwApAU6pAKkB2gF4cwEAAAAg+gg8c3RkaW4+"
                    "+gg8bGFtYmRhPnIDAAAAAQAAAHMCAAAAgAGUcgEAAAA=", "defaults": None,
            "closure": None}}}}
    choices = {
        "member_dotdot": lambda: members.__setitem__("../../" + MARKER_NAME, b"x"),
        "member_absolute": lambda: members.__setitem__(os.path.join(folder, MARKER_NAME), b"x"),
        "lambda_layer": lambda: _archive_config(
            members, lambda c: c["config"]["layers"].insert(1, lambda_layer)),
        "unknown_class": lambda: _archive_config(
            members, lambda c: c["config"]["layers"][1].update(module="os", class_name="system")),
        "function_activation": lambda: _archive_config(
            members, lambda c: _first_layer_config(c).__setitem__("activation", {
                "module": "builtins", "class_name": "function", "config": "eval",
                "registered_name": "function"})),
        "absurd_units": lambda: _archive_config(
            members, lambda c: c["config"]["layers"][-1]["config"].__setitem__("units", 10 ** 12)),
        "bad_argument": lambda: _archive_config(
            members, lambda c: _first_layer_config(c).__setitem__("evil", "__import__('os')")),
        "config_garbage": lambda: members.__setitem__("config.json", b"{not json"),
        "config_not_object": lambda: members.__setitem__("config.json", b"[1, 2]"),
        "deep_json": lambda: members.__setitem__("config.json", _deep_json(100000).encode()),
        "no_weights": lambda: members.pop("model.weights.h5"),
        "no_config": lambda: members.pop("config.json"),
        "bomb": lambda: members.__setitem__("model.weights.h5", b"\0" * (256 << 20)),
    }
    kind = rng.choice(sorted(choices) + ["weights_h5"])
    if kind == "weights_h5":
        inner = os.path.join(folder, "inner.h5")
        pathlib.Path(inner).write_bytes(members["model.weights.h5"])
        with h5py.File(inner, "r+") as file:
            kind = "weights_h5:" + mutate_structure(file, rng, folder)
        members["model.weights.h5"] = pathlib.Path(inner).read_bytes()
    else:
        choices[kind]()
    _write_members(path, members, zipfile.ZIP_DEFLATED if kind == "bomb" else zipfile.ZIP_STORED)
    return "zip:" + kind


def make_case(seeds, index, rng, folder):
    """Write mutated file ``index``; returns ``(path, mutation kind)``."""
    import h5py
    seed_name = rng.choice(sorted(seeds))
    data = bytearray(pathlib.Path(seeds[seed_name]).read_bytes())
    path = os.path.join(folder, f"case{index:05d}.h5")
    roll = rng.random()
    if seeds[seed_name].endswith(".keras") and roll >= 0.45:
        return path, f"{seed_name}/{mutate_archive(seeds[seed_name], path, rng, folder)}"
    if roll < 0.3:
        for _ in range(rng.randint(1, 20)):
            offset = rng.randrange(len(data))
            data[offset] ^= 1 << rng.randrange(8)
        kind = "byte_flips"
    elif roll < 0.45:
        data = data[:rng.randrange(len(data))]
        kind = "truncation"
    else:
        kind = None
    pathlib.Path(path).write_bytes(bytes(data))
    if kind is None:
        with h5py.File(path, "r+") as file:
            kind = "h5:" + mutate_structure(file, rng, folder)
    return path, f"{seed_name}/{kind}"


# ---- the worker: load each file it is given ------------------------------------------
def worker(memory_limit):
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    import nnkit
    from nnkit.saving import file_kind
    from nnkit.saving.reader import CheckpointReader
    from nnkit.saving.training_state import read_training_state
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for line in sys.stdin:
        path = line.strip()
        try:
            nnkit.load_model(path)
            if file_kind(path) == "nnkit":
                with CheckpointReader(path) as reader:
                    if reader.has("training_state"):
                        read_training_state(reader)
            outcome = "ok"
        except nnkit.CheckpointError as error:
            cause = error.__cause__ or error.__context__
            outcome = "memory" if isinstance(cause, MemoryError) else "CheckpointError"
        except BaseException as error:  # noqa: B902 - reported, the parent fails the run
            outcome = f"OTHER {type(error).__name__}: {str(error)[:200]}"
        grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - baseline) // 1024
        print(json.dumps({"path": path, "outcome": outcome, "peak_mib": grown}), flush=True)


class Worker:
    def __init__(self, memory_limit):
        env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--worker", str(memory_limit)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True, bufsize=1)

    def load(self, path, timeout):
        self.process.stdin.write(path + "\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            return {"outcome": "hang"}
        line = self.process.stdout.readline()
        if not line:
            return {"outcome": f"crash (exit {self.process.wait()})"}
        return json.loads(line)

    def close(self):
        self.process.kill()
        self.process.wait()


def run(cases, seed=0, timeout=10.0, memory_limit=3 << 30, folder=None):
    """Fuzz ``cases`` files; returns ``{"outcomes": Counter, "by_kind": {...}, "bad": [...]}``."""
    own = folder is None
    folder = folder or tempfile.mkdtemp(prefix="nnkit-fuzz-")
    rng = random.Random(seed)
    seeds = make_seeds(folder)
    outcomes, by_kind, bad, peak = collections.Counter(), collections.defaultdict(
        collections.Counter), [], 0
    worker = Worker(memory_limit)
    try:
        for index in range(cases):
            path, kind = make_case(seeds, index, rng, folder)
            result = worker.load(path, timeout)
            if result["outcome"] == "hang" or result["outcome"].startswith("crash"):
                worker.close()
                worker = Worker(memory_limit)
            outcome = result["outcome"]
            peak = max(peak, result.get("peak_mib", 0))
            outcomes[outcome.split(":")[0]] += 1
            by_kind[kind.split("/", 1)[1]][outcome.split(":")[0]] += 1
            if outcome not in ("ok", "CheckpointError"):
                bad.append((path, kind, outcome))
            else:
                os.unlink(path)
    finally:
        worker.close()
    executed = os.path.exists(os.path.join(folder, MARKER_NAME))
    if own and not bad:
        import shutil
        shutil.rmtree(folder, ignore_errors=True)
    return {"outcomes": outcomes, "by_kind": by_kind, "bad": bad, "payload_executed": executed,
            "peak_mib": peak}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return 0
    start = time.time()
    report = run(args.cases, args.seed, args.timeout)
    print(f"{args.cases} mutated files in {time.time() - start:.1f} s: "
          f"{dict(report['outcomes'])}; payload executed: {report['payload_executed']}; "
          f"peak memory growth of the loader: {report['peak_mib']} MiB")
    for kind, counts in sorted(report["by_kind"].items()):
        print(f"  {kind:28s} {dict(counts)}")
    for path, kind, outcome in report["bad"]:
        print(f"BAD {kind}: {outcome}  ({path})")
    return 1 if report["bad"] or report["payload_executed"] else 0


if __name__ == "__main__":
    sys.exit(main())
