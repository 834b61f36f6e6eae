"""fit/evaluate/predict on a Sequence or a generator: the same training as arrays, exact resume
of a Sequence, prefetching, bucketed and CSR batches, errors that name the batch."""
import numpy as np
import pytest

import nnkit
from nnkit.callbacks import BackupAndRestore, Callback


def arrays(n=48, t=7, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 30, size=(n, t))
    x[rng.random(x.shape) < 0.3] = 0
    return x, (x[:, 0] > 15).astype(int)


class Batches(nnkit.utils.Sequence):
    def __init__(self, x, y, size=8, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.size, self.epochs_ended = x, y, size, 0

    def __len__(self):
        return -(-len(self.x) // self.size)

    def __getitem__(self, i):
        rows = slice(i * self.size, (i + 1) * self.size)
        return self.x[rows], self.y[rows]

    def on_epoch_end(self):
        self.epochs_ended += 1


def model():
    nnkit.set_seed(4)
    m = nnkit.Sequential([nnkit.Embedding(30, 6, mask_zero=True), nnkit.LSTM(5),
                          nnkit.Dense(2, activation="softmax")])
    m.compile(nnkit.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
              metrics=["accuracy"])
    return m


def test_sequence_and_generator_train_like_the_same_arrays():
    x, y = arrays()
    reference = model()
    expected = reference.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history
    sequence = Batches(x, y)
    from_sequence = model()
    assert from_sequence.fit(sequence, epochs=2, shuffle=False, verbose=0).history == expected
    assert sequence.epochs_ended == 2

    def generator():
        while True:
            for i in range(6):
                yield x[i * 8:(i + 1) * 8], y[i * 8:(i + 1) * 8]
    from_generator = model()
    assert from_generator.fit(generator(), steps_per_epoch=6, epochs=2, verbose=0).history == \
        expected
    for trained in (from_sequence, from_generator):
        for a, b in zip(trained.get_weights(), reference.get_weights()):
            np.testing.assert_array_equal(a, b)
    assert reference.evaluate(x, y, batch_size=8) == from_sequence.evaluate(Batches(x, y))
    np.testing.assert_allclose(reference.predict(x), from_sequence.predict(Batches(x, y)),
                               rtol=1e-6)


def test_prefetching_gives_the_same_training():
    x, y = arrays(seed=1)
    plain = model().fit(Batches(x, y), epochs=2, verbose=0).history
    prefetched = model().fit(Batches(x, y, workers=1, max_queue_size=2), epochs=2,
                             verbose=0).history
    assert prefetched == plain


def test_shuffled_sequence_resumes_exactly(tmp_path):
    x, y = arrays(seed=2)
    reference = model().fit(Batches(x, y), epochs=3, verbose=0).history

    class Stop(Callback):
        def __init__(self):
            super().__init__()
            self.count = 0

        def on_train_batch_end(self, batch, logs=None):
            self.count += 1
            if self.count == 8:
                self.model.stop_training = True

    path = tmp_path / "backup.h5"
    model().fit(Batches(x, y), epochs=3, verbose=0, callbacks=[Stop(), BackupAndRestore(path, 1)])
    nnkit.set_seed(77)
    resumed = model().fit(Batches(x, y), epochs=3, verbose=0, resume_from=path).history
    assert resumed == reference


def test_bucketed_and_sparse_batches():
    sparse = pytest.importorskip("scipy.sparse")

    class Buckets(nnkit.utils.Sequence):
        def __len__(self):
            return 3

        def __getitem__(self, i):                   # a different length per batch
            x, y = arrays(n=6, t=4 + 3 * i, seed=i)
            return x, y
    model().fit(Buckets(), epochs=1, verbose=0)

    rng = np.random.default_rng(3)
    matrix = sparse.random(40, 50, density=0.1, format="csr", random_state=0)
    labels = rng.integers(0, 2, size=40)

    class Sparse(nnkit.utils.Sequence):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return matrix[i * 10:(i + 1) * 10], labels[i * 10:(i + 1) * 10]
    mlp = nnkit.Sequential([nnkit.Dense(4, activation="relu", input_shape=(50,)),
                            nnkit.Dense(2, activation="softmax")])
    mlp.compile("sgd", "sparse_categorical_crossentropy")
    history = mlp.fit(Sparse(), epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


def test_errors_name_the_batch():
    x, y = arrays()

    def short():
        for i in range(2):
            yield x[i * 8:(i + 1) * 8], y[i * 8:(i + 1) * 8]
    with pytest.raises(nnkit.InvalidArgumentError, match="generator ended at batch 2 of 5"):
        model().fit(short(), steps_per_epoch=5, verbose=0)

    class Broken(Batches):
        def __getitem__(self, i):
            batch = super().__getitem__(i)
            return (batch[0], np.stack([batch[1]] * 3, axis=1)) if i == 4 else batch
    trained = model()
    trained.build((7,))
    with pytest.raises(nnkit.ShapeError, match="batch 4"):
        trained.fit(Broken(x, y), shuffle=False, verbose=0)
    with pytest.raises(nnkit.InvalidArgumentError, match="needs steps"):
        model().fit(short(), verbose=0)
    with pytest.raises(nnkit.InvalidArgumentError, match="no y, sample_weight"):
        model().fit(Batches(x, y), y, verbose=0)


def test_a_generator_cannot_resume(tmp_path):
    x, y = arrays()
    path = tmp_path / "backup.h5"
    model().fit(x, y, epochs=1, verbose=0, callbacks=[BackupAndRestore(path, 1)])

    def generator():
        while True:
            yield x[:8], y[:8]
    with pytest.raises(nnkit.InvalidArgumentError, match="cannot be rewound"):
        model().fit(generator(), steps_per_epoch=2, verbose=0, resume_from=path)
