"""The loader against hostile files: every outcome is a load or a CheckpointError.

Runs benchmarks/fuzz_loader.py's harness (worker process, per-case time limit,
memory limit) on 200 mutated checkpoints, and checks a few attacks by hand.
"""
import importlib.util
import json
import pathlib

import h5py
import numpy as np
import pytest

import nnkit
from nnkit.saving import checksum
from nnkit.saving.format import FORMAT_VERSION

SCRIPT = pathlib.Path(__file__).resolve().parents[1] / "benchmarks" / "fuzz_loader.py"


def _fuzz_loader():
    spec = importlib.util.spec_from_file_location("fuzz_loader", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_200_mutated_checkpoints_load_or_raise_checkpoint_error(tmp_path):
    report = _fuzz_loader().run(200, seed=7, timeout=20.0, folder=str(tmp_path))
    assert report["bad"] == []
    assert not report["payload_executed"]
    assert set(report["outcomes"]) <= {"ok", "CheckpointError"}
    assert report["outcomes"]["CheckpointError"] > 100
    assert report["peak_mib"] < 500


@pytest.fixture
def saved(tmp_path):
    model = nnkit.Sequential([nnkit.Dense(3, input_shape=(2,), name="d")])
    model.compile("adam", "mse")
    model.save(tmp_path / "m.h5")
    return tmp_path / "m.h5"


def test_newer_format_is_refused_with_a_clear_message(saved):
    with h5py.File(saved, "r+") as file:        # as a newer nnkit writes it, with its checksum
        checksum.write_attribute(file, "format_version", FORMAT_VERSION + 1)
    with pytest.raises(nnkit.CheckpointError, match=f"format version {FORMAT_VERSION + 1} is "
                                                    f"newer .* upgrade nnkit"):
        nnkit.load_model(saved)


def test_current_format_version_is_written(saved):
    with h5py.File(saved, "r") as file:
        assert file.attrs["format"] in (b"nnkit", "nnkit")
        assert file.attrs["format_version"] == FORMAT_VERSION


@pytest.mark.parametrize("attack", ["external_link", "soft_link", "bomb", "huge_declared",
                                    "unknown_class", "deep_json", "absurd_units"])
def test_hand_picked_attacks(saved, attack):
    with h5py.File(saved, "r+") as file:
        if attack == "external_link":
            del file["model_weights/d/kernel"]
            file["model_weights/d/kernel"] = h5py.ExternalLink("/etc/passwd", "/x")
        elif attack == "soft_link":
            del file["model_weights/d/kernel"]
            file["model_weights/d/kernel"] = h5py.SoftLink("/model_weights/d/bias")
        elif attack == "bomb":
            del file["model_weights/d/kernel"]
            file.create_dataset("model_weights/d/kernel", shape=(2, 3), dtype="f4",
                                compression="gzip", data=np.ones((2, 3)))
        elif attack == "huge_declared":
            file.create_dataset("tokenizer", shape=(1 << 40,), dtype="u1")
        elif attack == "unknown_class":
            config = json.loads(file.attrs["model_config"])
            config["config"]["layers"][0]["class_name"] = "subprocess.Popen"
            file.attrs["model_config"] = json.dumps(config)
        elif attack == "deep_json":
            file.attrs["model_config"] = "[" * 200000 + "]" * 200000
        else:
            config = json.loads(file.attrs["model_config"])
            config["config"]["layers"][0]["config"]["units"] = 10 ** 11
            file.attrs["model_config"] = json.dumps(config)
    with pytest.raises(nnkit.CheckpointError):
        nnkit.load_model(saved)
