"""GlobalAveragePooling1D / GlobalMaxPooling1D: masked reference, padding side, gradients."""
import numpy as np
import pytest

import nnkit
from nnkit.layers.pooling import GlobalAveragePooling1D, GlobalMaxPooling1D
from nnkit.testing import check_gradients

LENGTHS = [5, 3, 1, 0]


@pytest.fixture
def float64():
    nnkit.set_floatx("float64")
    yield
    nnkit.set_floatx("float32")


def ragged_mask(lengths, steps, side):
    """Boolean (N, T): ``lengths[n]`` True steps at the end ("pre" padding) or start ("post")."""
    positions = np.arange(steps)[None, :]
    lengths = np.asarray(lengths)[:, None]
    return positions >= steps - lengths if side == "pre" else positions < lengths


def naive_pool(x, mask, reduce):
    out = np.zeros((x.shape[0], x.shape[2]))
    for n in range(x.shape[0]):
        steps = [x[n, t] for t in range(x.shape[1]) if mask[n, t]]
        if steps:
            out[n] = reduce(np.stack(steps), axis=0)
    return out


@pytest.mark.parametrize("layer_cls, reduce", [(GlobalAveragePooling1D, np.mean),
                                               (GlobalMaxPooling1D, np.max)])
@pytest.mark.parametrize("side", ["pre", "post"])
def test_matches_naive_masked_reduction(layer_cls, reduce, side):
    x = np.random.default_rng(0).normal(size=(4, 5, 3))
    mask = ragged_mask(LENGTHS, 5, side)
    y = layer_cls()(x, mask=mask)
    assert y.shape == (4, 3)
    assert np.isfinite(y).all()
    np.testing.assert_allclose(y, naive_pool(x, mask, reduce), rtol=1e-6)
    np.testing.assert_array_equal(y[3], 0.0)        # no valid step → zeros


@pytest.mark.parametrize("layer_cls", [GlobalAveragePooling1D, GlobalMaxPooling1D])
def test_pre_and_post_padding_pool_alike(layer_cls):
    rng = np.random.default_rng(1)
    tokens = [rng.normal(size=(length, 3)) for length in LENGTHS]
    pre, post = np.zeros((4, 6, 3)), np.full((4, 6, 3), 7.0)   # pad contents must not matter
    for n, seq in enumerate(tokens):
        pre[n, 6 - len(seq):], post[n, :len(seq)] = seq, seq
    layer = layer_cls()
    np.testing.assert_allclose(layer(pre, mask=ragged_mask(LENGTHS, 6, "pre")),
                               layer(post, mask=ragged_mask(LENGTHS, 6, "post")), rtol=1e-6)


@pytest.mark.parametrize("layer_cls", [GlobalAveragePooling1D, GlobalMaxPooling1D])
def test_without_mask_pools_all_steps(layer_cls):
    x = np.random.default_rng(2).normal(size=(2, 4, 3)).astype("float32")
    expected = x.mean(axis=1) if layer_cls is GlobalAveragePooling1D else x.max(axis=1)
    np.testing.assert_allclose(layer_cls()(x), expected, rtol=1e-6)


@pytest.mark.parametrize("layer_cls", [GlobalAveragePooling1D, GlobalMaxPooling1D])
@pytest.mark.parametrize("side", ["pre", "post", None])
def test_gradients(float64, layer_cls, side):
    x = np.random.default_rng(3).normal(size=(4, 5, 3))
    mask = None if side is None else ragged_mask(LENGTHS, 5, side)
    layer = layer_cls()
    check_gradients(layer, x, mask=mask)
    layer(x, training=True, mask=mask)
    dx = layer.backward(np.ones((4, 3)))
    if mask is not None:
        np.testing.assert_array_equal(dx[~mask], 0.0)   # padding gets no gradient


@pytest.mark.parametrize("layer_cls", [GlobalAveragePooling1D, GlobalMaxPooling1D])
def test_consumes_mask_and_round_trips_config(layer_cls):
    layer = layer_cls(name="pool")
    mask = np.ones((2, 4), bool)
    assert layer.compute_mask(np.ones((2, 4, 3)), mask) is None
    assert layer.example_output_shape((4, 3)) == (3,)
    clone = nnkit.registry.LAYERS.get(layer_cls.__name__).from_config(layer.get_config())
    assert type(clone) is layer_cls and clone.get_config() == layer.get_config()


def test_rejects_wrong_rank():
    with pytest.raises(nnkit.ShapeError, match="GlobalAveragePooling1D"):
        GlobalAveragePooling1D()(np.ones((2, 3)))
