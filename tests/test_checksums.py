"""Checksums in nnkit's files: any change to a stored weight, slot or attribute is refused
by name; older files without digests still load; a diverged model never overwrites a
good checkpoint."""
import h5py
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nnkit


def _model():
    nnkit.set_seed(3)
    model = nnkit.Sequential([nnkit.Input((4,)), nnkit.layers.Dense(3, activation="tanh"),
                              nnkit.layers.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    x = np.random.default_rng(0).normal(size=(16, 4))
    model.fit(x, np.arange(16) % 2, epochs=1, verbose=0)
    return model


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    path = tmp_path_factory.mktemp("ck") / "model.h5"
    _model().save(path)
    return path


def _datasets(path):
    names = []
    with h5py.File(path, "r") as file:
        file.visititems(lambda name, obj: names.append(name)
                        if isinstance(obj, h5py.Dataset) else None)
    return names


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_any_changed_value_in_any_dataset_is_refused_naming_it(saved, tmp_path_factory, data):
    names = _datasets(saved)
    name = data.draw(st.sampled_from(names))
    path = tmp_path_factory.mktemp("bad") / "model.h5"
    path.write_bytes(saved.read_bytes())
    with h5py.File(path, "r+") as file:
        values = file[name][()]
        flat = values.reshape(-1)
        index = data.draw(st.integers(0, flat.size - 1))
        flat[index] = flat[index] + (1 if values.dtype.kind in "iu" else 0.5)
        file[name][...] = values
    with pytest.raises(nnkit.CheckpointError, match="damaged") as error:
        nnkit.load_model(path)
    assert name.split("/")[-1] in str(error.value)


@pytest.mark.parametrize("attribute", ["model_config", "training_config", "rng_state"])
def test_a_changed_text_attribute_is_refused(saved, tmp_path, attribute):
    path = tmp_path / "model.h5"
    path.write_bytes(saved.read_bytes())
    with h5py.File(path, "r+") as file:
        text = file.attrs[attribute].decode()
        digit = next(i for i, c in enumerate(text) if c.isdigit())
        changed = text[:digit] + str((int(text[digit]) + 1) % 10) + text[digit + 1:]
        file.attrs[attribute] = np.bytes_(changed.encode())
    with pytest.raises(nnkit.CheckpointError, match=f"{attribute}.*damaged"):
        nnkit.load_model(path)


def test_files_without_digests_still_load(saved, tmp_path):
    """A file written before checksums (no ``*.sha256`` attributes) loads as before."""
    path = tmp_path / "old.h5"
    path.write_bytes(saved.read_bytes())
    with h5py.File(path, "r+") as file:
        for key in [k for k in file.attrs if k.endswith(".sha256")]:
            del file.attrs[key]
        file.visititems(lambda name, obj: obj.attrs.__delitem__("sha256")
                        if "sha256" in obj.attrs else None)
        file["optimizer"].attrs.__delitem__("iterations.sha256")
    old, new = nnkit.load_model(path), nnkit.load_model(saved)
    for a, b in zip(old.get_weights(), new.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_random_byte_corruption_never_loads_different_weights(saved, tmp_path):
    """Flip bytes anywhere: the file is refused, or loads with exactly the saved weights."""
    original = saved.read_bytes()
    reference = [w.copy() for w in nnkit.load_model(saved).get_weights()]
    rng = np.random.default_rng(7)
    for trial in range(40):
        damaged = bytearray(original)
        position = int(rng.integers(0, len(damaged)))
        damaged[position] ^= 1 << int(rng.integers(0, 8))
        path = tmp_path / f"d{trial}.h5"
        path.write_bytes(bytes(damaged))
        try:
            loaded = nnkit.load_model(path)
        except nnkit.CheckpointError:
            continue
        for a, b in zip(loaded.get_weights(), reference):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("ending", [".h5", ".keras", ".weights.h5"])
def test_a_diverged_model_never_overwrites_a_good_file(tmp_path, ending):
    model = _model()
    path = tmp_path / f"model{ending}"
    (model.save_weights if ending == ".weights.h5" else model.save)(path)
    good = path.read_bytes()
    model.layers[1].params["bias"][1] = np.nan
    with pytest.raises(nnkit.CheckpointError, match=r"NaN.*dense_\w*/bias"):
        (model.save_weights if ending == ".weights.h5" else model.save)(path)
    assert path.read_bytes() == good


def test_save_to_a_non_path_is_refused():
    with pytest.raises(nnkit.InvalidArgumentError, match="path"):
        _model().save(123)
