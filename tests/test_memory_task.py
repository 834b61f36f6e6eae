"""A task that needs memory: did token A come before token B?

Each sequence holds one A and one B among noise tokens, with padding. The label
depends only on their order, so a bag of words (which sees the same counts for
both classes) stays at chance while an LSTM learns it.
"""
import time

import numpy as np

import nnkit
from nnkit.layers.pooling import GlobalAveragePooling1D

A, B, VOCAB, LENGTH = 1, 2, 10, 10


def make_data(n, seed):
    rng = np.random.default_rng(seed)
    x = np.zeros((n, LENGTH), np.int64)
    y = rng.integers(0, 2, n)
    for row in range(n):
        length = rng.integers(4, LENGTH + 1)
        x[row, :length] = rng.integers(3, VOCAB, length)
        first, second = sorted(rng.choice(length, 2, replace=False))
        x[row, first], x[row, second] = (A, B) if y[row] else (B, A)
    return x, y


def train(layers, x, y):
    model = nnkit.Sequential(layers)
    model.compile(nnkit.optimizers.Adam(learning_rate=0.02),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, batch_size=32, epochs=8, verbose=0)
    return model


def test_lstm_remembers_order_and_bag_of_words_cannot():
    started = time.perf_counter()
    nnkit.set_seed(0)
    x, y = make_data(1200, seed=0)
    x_test, y_test = make_data(400, seed=1)
    lstm = train([nnkit.Embedding(VOCAB, 8, mask_zero=True), nnkit.LSTM(16),
                  nnkit.Dense(2, activation="softmax")], x, y)
    bag = train([nnkit.Embedding(VOCAB, 8, mask_zero=True), GlobalAveragePooling1D(),
                 nnkit.Dense(16, activation="relu"), nnkit.Dense(2, activation="softmax")], x, y)
    lstm_accuracy = lstm.evaluate(x_test, y_test, return_dict=True)["accuracy"]
    bag_accuracy = bag.evaluate(x_test, y_test, return_dict=True)["accuracy"]
    assert lstm_accuracy > 0.95, lstm_accuracy
    assert bag_accuracy < 0.6, bag_accuracy
    assert time.perf_counter() - started < 30
