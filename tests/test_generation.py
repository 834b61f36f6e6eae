"""nnkit.utils.generation: sampling with temperature/top-k/top-p, and the generation loop."""
import numpy as np
import pytest

import nnkit
from nnkit import layers as L
from nnkit.errors import InvalidArgumentError, ShapeError
from nnkit.utils.generation import generate, sample

P = np.array([0.5, 0.25, 0.15, 0.1])


def frequencies(draws, size=4):
    return np.bincount(draws, minlength=size) / len(draws)


def test_temperature_one_draws_the_given_distribution():
    draws = sample(np.tile(P, (20000, 1)), seed=0)
    np.testing.assert_allclose(frequencies(draws), P, atol=0.01)


def test_temperature_reshapes_as_p_to_the_power_one_over_t():
    draws = sample(np.tile(P, (20000, 1)), temperature=0.5, seed=1)
    expected = P ** 2 / (P ** 2).sum()
    np.testing.assert_allclose(frequencies(draws), expected, atol=0.01)


def test_zero_temperature_is_greedy_and_a_single_row_gives_an_int():
    assert sample(P[::-1], temperature=0) == 3
    assert isinstance(sample(P, seed=3), int)


def test_top_k_and_top_p_keep_the_most_probable_ids():
    rows = np.tile(P, (20000, 1))
    top2 = frequencies(sample(rows, top_k=2, seed=2))
    np.testing.assert_allclose(top2, [2 / 3, 1 / 3, 0, 0], atol=0.01)
    nucleus = frequencies(sample(rows, top_p=0.7, seed=4))     # 0.5 + 0.25 reach 0.7
    np.testing.assert_allclose(nucleus, [2 / 3, 1 / 3, 0, 0], atol=0.01)
    assert set(sample(rows[:50], top_p=0.5, seed=5)) == {0}


def test_a_seed_repeats_its_draws():
    rows = np.tile(P, (30, 1))
    np.testing.assert_array_equal(sample(rows, seed=9), sample(rows, seed=9))


@pytest.mark.parametrize("bad,error", [
    (np.array([[0.5, -0.1]]), InvalidArgumentError), (np.zeros((2, 3)), InvalidArgumentError),
    (np.ones((2, 2, 2)), ShapeError)])
def test_bad_probabilities_are_refused(bad, error):
    with pytest.raises(error):
        sample(bad)


def test_generate_with_a_stateful_model_equals_rerunning_the_prefix():
    nnkit.utils.set_random_seed(0)
    body = [L.Embedding(7, 3), L.LSTM(4, return_sequences=True), L.Dense(7, activation="softmax")]
    stateful = nnkit.Sequential([nnkit.Input((None,), dtype="int32"), body[0],
                                 L.LSTM(4, return_sequences=True, stateful=True), body[2]])
    plain = nnkit.Sequential([nnkit.Input((None,), dtype="int32"), *body])
    prompt = np.array([[1, 2, 3], [4, 5, 6]])
    plain.predict(prompt, verbose=0)
    stateful.predict(prompt, verbose=0)
    stateful.layers[1].set_weights(plain.layers[1].get_weights())
    stateful.reset_states()
    produced = generate(stateful, prompt, 5, temperature=0)
    sequence = prompt
    for _ in range(5):                                     # greedy, recomputing the prefix
        probabilities = plain.predict(sequence, verbose=0)[:, -1]
        sequence = np.concatenate([sequence, probabilities.argmax(axis=1)[:, None]], axis=1)
    np.testing.assert_array_equal(produced, sequence[:, 3:])


def test_generate_with_a_state_passing_model():
    ids, h_in, c_in = nnkit.Input((None,), dtype="int32"), nnkit.Input((4,)), nnkit.Input((4,))
    seq, h, c = L.LSTM(4, return_sequences=True, return_state=True)(
        L.Embedding(7, 3)(ids), initial_state=[h_in, c_in])
    step = nnkit.Model([ids, h_in, c_in], [L.Dense(7, activation="softmax")(seq), h, c])
    zeros = [np.zeros((2, 4), "float32")] * 2
    produced = generate(step, np.array([[1, 2], [3, 4]]), 4, states=zeros, seed=0, top_k=3)
    assert produced.shape == (2, 4) and produced.dtype == np.int64
    again = generate(step, np.array([[1, 2], [3, 4]]), 4, states=zeros, seed=0, top_k=3)
    np.testing.assert_array_equal(produced, again)


# ---- the two examples, in their quick modes ----------------------------------------------
def test_seq2seq_reverse_example_decodes_with_rebuilt_models():
    from test_examples import run_example
    output = run_example("seq2seq_reverse.py", "--quick")
    assert "exact-match accuracy:" in output and "->" in output


def test_char_lstm_example_reports_bits_and_generates(data_dir):
    from test_examples import run_example
    output = run_example("char_lstm_generate.py", "--quick", env_data_dir=data_dir)
    assert "validation bits per character:" in output and "unigram baseline" in output
    assert output.count("--- temperature") == 3
