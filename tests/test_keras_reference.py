"""Layer outputs equal real Keras 3's on the same weights and inputs (float32 tolerance).

The fixtures are written by ``tests/fixtures/make_keras_fixtures.py`` with Keras
in a separate virtual environment; Keras is not needed here. Each fixture names
Keras classes and arguments, and the test builds the same chain from nnkit's
classes of the same names with the same arguments — so it also checks that
nnkit takes Keras's constructor arguments and weight layouts as they are.
"""
import json
import pathlib

import numpy as np
import pytest

import nnkit

FIXTURES = sorted(path for path in (pathlib.Path(__file__).resolve().parent / "fixtures" /
                                    "keras").glob("*.npz")
                  if not path.stem.startswith("graph_")      # graphs: test_graph_models.py
                  and path.stem not in ("optimizers", "metrics"))   # test_schedules/metrics.py


def build(spec):
    name, kwargs = spec
    kwargs = {key: (build((value["class_name"], value["config"]))
                    if isinstance(value, dict) and "class_name" in value else value)
              for key, value in kwargs.items()}
    return getattr(nnkit, name)(**kwargs)


def numbered(arrays, prefix):
    return [arrays[f"{prefix}{i}"] for i in range(len([k for k in arrays if k.startswith(prefix)
                                                         and k[len(prefix):].isdigit()]))]


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_outputs_equal_keras(path):
    arrays = dict(np.load(path))
    spec = json.loads(str(arrays["spec"]))
    x, mask = arrays["x"], arrays.get("mask")
    layers = [build(layer) for layer in spec["layers"]]
    model = layers[0] if len(layers) == 1 else nnkit.Sequential(layers)
    model.build(x.shape[1:])
    model.set_weights(numbered(arrays, "w"))
    out = model(x, training=spec["training"], mask=mask)
    outputs = list(out) if isinstance(out, (list, tuple)) else [out]
    expected = numbered(arrays, "y")
    assert len(outputs) == len(expected)
    for got, want in zip(outputs, expected):
        assert got.shape == want.shape
        # Keras's masked mean of a row with no valid step is 0/0 = NaN; nnkit gives zeros
        undefined = np.isnan(want)
        np.testing.assert_array_equal(got[undefined], 0.0)
        np.testing.assert_allclose(got[~undefined], want[~undefined], rtol=2e-5, atol=2e-5)
    for got, want in zip(model.get_weights(), numbered(arrays, "after")):
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6)


def test_every_fixture_family_is_present():
    families = {p.stem.split("_")[0] for p in FIXTURES}
    assert {"conv1d", "conv2d", "pool1d", "pool2d", "gru", "batch", "layer", "masking"} <= families
