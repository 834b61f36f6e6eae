"""No hidden channels between models or threads: a model trained while another predicts ends
on the same bits as alone; predictions and evaluations from several threads equal serial ones."""
import threading

import numpy as np

import nnkit


def token_ids(n, t=12, vocab=60, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.integers(1, vocab, size=(n, t))
    lengths = rng.integers(2, t + 1, size=n)
    x[np.arange(t)[None, :] >= lengths[:, None]] = 0
    return x


def embedding_lstm(seed):
    nnkit.set_seed(seed)
    model = nnkit.Sequential([nnkit.Embedding(60, 8, mask_zero=True), nnkit.LSTM(6),
                              nnkit.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.build((12,))
    return model


def train(model, x, y):
    model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    return model.get_weights()


def run_in_threads(functions):
    """Run every function in its own thread at once; returns their results in order."""
    results, errors = [None] * len(functions), []
    start = threading.Barrier(len(functions))

    def body(i, function):
        try:
            start.wait()
            results[i] = function()
        except BaseException as error:        # re-raised in the test's thread below
            errors.append(error)

    threads = [threading.Thread(target=body, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def test_training_beside_another_models_predictions_is_bit_identical():
    x, y = token_ids(96, seed=1), np.random.default_rng(2).integers(0, 2, 96)
    alone = train(embedding_lstm(3), x, y)
    other, other_x = embedding_lstm(4), token_ids(64, seed=5)
    stop = threading.Event()

    def predict_until_done():
        calls = 0
        while not stop.is_set() or calls == 0:
            other.predict(other_x, batch_size=8)
            calls += 1
        return calls

    model = embedding_lstm(3)
    predictor = threading.Thread(target=predict_until_done)
    predictor.start()
    try:
        beside = train(model, x, y)
    finally:
        stop.set()
        predictor.join()
    for a, b in zip(alone, beside):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(model.predict(x), embedding_lstm_predict(beside, x))


def embedding_lstm_predict(weights, x):
    model = embedding_lstm(0)
    model.set_weights(weights)
    return model.predict(x)


def test_predictions_from_four_threads_equal_serial_ones():
    model = embedding_lstm(6)
    inputs = [token_ids(40 + 8 * i, seed=10 + i) for i in range(4)]
    serial = [model.predict(x, batch_size=8) for x in inputs]
    parallel = run_in_threads([lambda x=x: model.predict(x, batch_size=8) for x in inputs])
    for a, b in zip(serial, parallel):
        np.testing.assert_array_equal(a, b)


def test_evaluate_from_two_threads_equals_serial():
    model = embedding_lstm(7)
    data = [(token_ids(48, seed=20 + i), np.random.default_rng(i).integers(0, 2, 48))
            for i in range(2)]
    serial = [model.evaluate(x, y, batch_size=8, return_dict=True) for x, y in data]
    parallel = run_in_threads([lambda x=x, y=y: model.evaluate(x, y, batch_size=8, return_dict=True)
                               for x, y in data])
    assert parallel == serial


def test_loading_in_one_thread_leaves_another_threads_layers_alone(tmp_path):
    model = embedding_lstm(8)
    path = tmp_path / "model.h5"
    model.save(path)
    expected = model.get_weights()

    def build_fresh():                       # random initial weights while a load runs
        nnkit.set_seed(9)
        fresh = embedding_lstm(9)
        return [w.copy() for w in fresh.get_weights()]

    solo = build_fresh()
    loaded, built = run_in_threads([lambda: nnkit.load_model(path, restore_rng_state=False).get_weights(), build_fresh])
    for a, b in zip(expected, loaded):
        np.testing.assert_array_equal(a, b)
    assert any(np.any(w != 0) for w in built)
    for a, b in zip(solo, built):
        np.testing.assert_array_equal(a, b)
