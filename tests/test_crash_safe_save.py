"""Saving survives SIGKILL at any moment: the checkpoint is the old or the new model, whole."""
import importlib.util
import os
import pathlib

import numpy as np
import pytest

import nnkit
from nnkit.saving.atomic import atomic_write, clean_stale_temp_files

SCRIPT = pathlib.Path(__file__).resolve().parents[1] / "benchmarks" / "kill_saving.py"


def _kill_saving():
    spec = importlib.util.spec_from_file_location("kill_saving", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("mode", ["save", "checkpoint"])
def test_sigkill_during_save_leaves_old_or_new_model(tmp_path, mode):
    summary = _kill_saving().run(15, mode, str(tmp_path), seed=hash(mode) % 1000)
    assert sum(summary["versions_seen"].values()) == 15
    assert summary["max_leftover_tmp"] <= 1           # the next writer cleans older ones


def test_failed_write_leaves_target_untouched(tmp_path):
    target = tmp_path / "m.h5"
    target.write_bytes(b"old")

    def write(tmp):
        pathlib.Path(tmp).write_bytes(b"partial")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write(target, write)
    assert target.read_bytes() == b"old" and os.listdir(tmp_path) == ["m.h5"]


def test_stale_temp_files_are_cleaned_and_never_loaded(tmp_path):
    model = nnkit.Sequential([nnkit.Dense(2, input_shape=(3,))])
    target = tmp_path / "m.h5"
    model.save(target)
    dead = tmp_path / ".m.h5.999999999.abc.tmp"       # no such pid
    dead.write_bytes(b"\x89HDF half written")
    mine = tmp_path / f".m.h5.{os.getpid()}.xyz.tmp"  # a live writer's: kept
    mine.write_bytes(b"in progress")
    assert clean_stale_temp_files(target) == [str(dead)]
    assert mine.exists()
    model.save(target)
    np.testing.assert_array_equal(nnkit.load_model(target).get_weights()[0],
                                  model.get_weights()[0])
