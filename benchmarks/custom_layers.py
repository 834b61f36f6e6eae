"""How much a layer written with ``call()`` of ops costs against the same maths hand-written.

Two pairs, each timed as one training step's forward + backward of the layer alone (median of
``--repeats`` runs of ``--steps`` steps, in one process, the two alternating):

- Keras's antirectifier (``examples/custom_layer_antirectifier.py``, traced ops) against a
  built-in written here with forward/backward (the same operations, one fused function each);
- keras.io's ``TokenAndPositionEmbedding`` written with ``ops.arange`` and ``x + positions``
  against nnkit's built-in ``TokenAndPositionEmbedding``.

    python benchmarks/custom_layers.py            # prints a table; name the CPU with it
"""
import argparse
import importlib.util
import pathlib
import statistics
import sys
import time

import numpy as np

from nnkit import layers

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _example(name):
    """The module of ``examples/<name>.py`` (its custom layers are what is measured)."""
    if str(ROOT / "examples") not in sys.path:         # the examples import imdb_common
        sys.path.insert(0, str(ROOT / "examples"))
    spec = importlib.util.spec_from_file_location(name, ROOT / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class FusedAntirectifier(layers.Layer):
    """The antirectifier with a hand-written backward: ``(N, D)`` → ``(N, D)``."""

    def build(self, input_shape):
        self.add_weight("kernel", (2 * input_shape[-1], input_shape[-1]), "glorot_uniform")
        super().build(input_shape)

    def forward(self, x, training=False, mask=None):
        centred = x - x.mean(axis=-1, keepdims=True)
        both = np.concatenate([np.maximum(centred, 0), np.maximum(-centred, 0)], axis=-1)
        if training:
            self._cache = (centred, both)
        return both @ self.params["kernel"]

    def backward(self, dy):
        centred, both = self._cache
        self._cache = None
        self.grads["kernel"] += both.T @ dy
        d_both = dy @ self.params["kernel"].T
        width = centred.shape[-1]
        d_centred = d_both[:, :width] * (centred > 0) - d_both[:, width:] * (centred < 0)
        return d_centred - d_centred.mean(axis=-1, keepdims=True)


def _step_time(layer, x, steps):
    """Seconds per forward + backward of ``layer`` on ``x`` (training mode)."""
    y = layer.apply(x, training=True)[0]
    dy = np.ones_like(y)
    layer.backward(dy)
    start = time.perf_counter()
    for _ in range(steps):
        layer.apply(x, training=True)
        layer.backward(dy)
    return (time.perf_counter() - start) / steps


def _compare(name, made, fast, x, steps, repeats):
    times = {"call() of ops": [], "hand-written": []}
    for _ in range(repeats):
        times["call() of ops"].append(_step_time(made, x, steps))
        times["hand-written"].append(_step_time(fast, x, steps))
    ops_time, fused_time = (statistics.median(v) * 1e3 for v in times.values())
    print(f"{name:<34}{ops_time:>12.3f}{fused_time:>14.3f}{ops_time / fused_time:>9.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"{'layer (shape)':<34}{'ops ms':>12}{'built-in ms':>14}{'ratio':>9}")
    features = rng.normal(size=(256, 128)).astype("float32")
    _compare("antirectifier (256, 128)", _example("custom_layer_antirectifier").Antirectifier(),
             FusedAntirectifier(),
             features, args.steps, args.repeats)
    ids = rng.integers(1, 20000, size=(32, 200))
    token_and_position = _example("imdb_transformer").TokenAndPositionEmbedding
    _compare("token+position embedding (32, 200)", token_and_position(200, 20000, 32),
             layers.TokenAndPositionEmbedding(20000, 200, 32), ids, args.steps, args.repeats)


if __name__ == "__main__":
    main()
