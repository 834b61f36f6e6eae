"""Masks in recurrent layers: padding is never read, wherever it is and whatever it holds."""
import numpy as np
import pytest

import nnkit

LAYERS = {
    "rnn": lambda **kw: nnkit.RNN(4, **kw),
    "lstm": lambda **kw: nnkit.LSTM(4, **kw),
    "stacked": lambda **kw: nnkit.StackedCells(3, layers=[4, 4, 5],
                                               celltype=["gated_input", "lstm", "rnn"], **kw),
}
LENGTHS = np.array([5, 2, 7, 1])


def padded(x, lengths, t, pre):
    """Rows of ``x`` (N, T0, D) cut to ``lengths`` and padded with noise to length ``t``."""
    rng = np.random.default_rng(99)
    out = rng.normal(size=(len(lengths), t, x.shape[2]))
    mask = np.zeros((len(lengths), t), bool)
    for row, length in enumerate(lengths):
        span = slice(t - length, t) if pre else slice(0, length)
        out[row, span] = x[row, :length]
        mask[row, span] = True
    return out, mask


def same_weights(kind, **kw):
    nnkit.set_seed(7)
    layer = LAYERS[kind](**kw)
    layer(np.zeros((1, 1, 3)))
    return layer


@pytest.mark.parametrize("kind", LAYERS)
@pytest.mark.parametrize("go_backwards", [False, True])
def test_pre_post_and_extra_padding_give_identical_results(float64, kind, go_backwards):
    x = np.random.default_rng(0).normal(size=(4, 7, 3))
    results = []
    for t, pre in [(7, False), (7, True), (11, False), (11, True)]:
        layer = same_weights(kind, return_state=True, go_backwards=go_backwards)
        xs, mask = padded(x, LENGTHS, t, pre)
        outputs = layer(xs, training=True, mask=mask)
        dx = layer.backward([np.ones_like(o) for o in outputs])
        assert np.all(dx[~mask] == 0)
        valid_dx = [dx[row][mask[row]] for row in range(4)]
        results.append((outputs, valid_dx, {k: g.copy() for k, g in layer.grads.items()}))
    first = results[0]
    for outputs, valid_dx, grads in results[1:]:
        for a, b in zip(outputs, first[0]):
            np.testing.assert_allclose(a, b, atol=1e-12)
        for a, b in zip(valid_dx, first[1]):
            np.testing.assert_allclose(a, b, atol=1e-12)
        for key in grads:
            np.testing.assert_allclose(grads[key], first[2][key], atol=1e-12)


@pytest.mark.parametrize("kind", LAYERS)
def test_masked_steps_output_the_carried_state(float64, kind):
    rng = np.random.default_rng(1)
    layer = same_weights(kind, return_sequences=True)
    mask = np.array([[1, 0, 0, 1, 1, 0], [0, 0, 1, 1, 0, 0], [0] * 6, [1] * 6], bool)
    x = rng.normal(size=(4, 6, 3))
    y = layer(x, mask=mask)
    for row in range(4):
        for step in range(6):
            if not mask[row, step]:
                carried = y[row, step - 1] if step else np.zeros(y.shape[2])
                np.testing.assert_array_equal(y[row, step], carried)
    x2 = x.copy()
    x2[~mask] = 1e3
    np.testing.assert_array_equal(layer(x2, mask=mask), y)


@pytest.mark.parametrize("kind", LAYERS)
def test_all_padding_row_gives_zeros_and_finite_gradients(kind):
    layer = same_weights(kind, return_state=True)
    x = np.random.default_rng(2).normal(size=(2, 4, 3)).astype(np.float32)
    mask = np.array([[0, 0, 0, 0], [1, 1, 0, 0]], bool)
    outputs = layer(x, training=True, mask=mask)
    for output in outputs:
        assert np.all(output[0] == 0) and np.all(np.isfinite(output))
    dx = layer.backward([np.ones_like(o) for o in outputs])
    assert np.all(dx[0] == 0) and np.all(np.isfinite(dx))
    assert all(np.all(np.isfinite(g)) for g in layer.grads.values())


def test_embedding_mask_zero_feeds_the_lstm():
    embedding = nnkit.Embedding(20, 3, mask_zero=True)
    lstm = nnkit.LSTM(4)
    ids = np.array([[5, 6, 7, 0, 0], [0, 0, 5, 6, 7]])
    mask = embedding.compute_mask(ids, None)
    y = lstm(embedding(ids), mask=mask)
    np.testing.assert_allclose(y[0], y[1], atol=1e-6)
    np.testing.assert_allclose(y[0], lstm(embedding(ids[:1, :3]))[0], atol=1e-6)


def test_go_backwards_reverses_outputs_and_mask():
    layer = nnkit.RNN(2, return_sequences=True, go_backwards=True)
    x = np.random.default_rng(3).normal(size=(1, 4, 2)).astype(np.float32)
    mask = np.array([[1, 1, 1, 0]])
    y = layer(x, mask=mask)
    forward = nnkit.RNN(2, return_sequences=True)
    forward(x)
    forward.set_weights(layer.get_weights())
    np.testing.assert_allclose(y[0, 1:], forward(x[:, 2::-1])[0], atol=1e-6)  # padding never read first
    np.testing.assert_array_equal(y[0, 0], 0)
    np.testing.assert_array_equal(layer.compute_mask(x, mask), mask[:, ::-1])
