"""One rank of a data-parallel test run (or the single-process reference without mpiexec).

    mpiexec -n 2 python tests/distributed/train_worker.py MODEL OUT.npz [--fail-on-rank R]
        [--backup FILE] [--epochs E]

MODEL is "lstm" (Embedding(mask_zero) → LSTM → masked mean → Dense softmax, ragged token
rows: per-step normalisers differ per rank) or "csr_mlp" (Dense on a SciPy CSR matrix:
row-sparse kernel gradients). Weights are float64; 37 examples in batches of 8, so the last
global batch (5 rows) splits 3/2 and the uneven shares are exercised. Rank 0 writes the
final weights and the loss trace to OUT.npz.
"""
import argparse

import numpy as np

import nnkit


def data(model_name):
    rng = np.random.default_rng(5)
    if model_name == "lstm":
        x = rng.integers(1, 20, size=(37, 9))
        for row, length in enumerate(rng.integers(1, 10, size=37)):
            x[row, length:] = 0
        return x, rng.integers(0, 2, size=37)
    import scipy.sparse
    x = scipy.sparse.random(37, 60, density=0.08, format="csr", random_state=5)
    return x, rng.integers(0, 3, size=37)


def build(model_name):
    if model_name == "lstm":
        model = nnkit.Sequential([nnkit.Embedding(20, 5, mask_zero=True),
                                  nnkit.LSTM(4, return_sequences=True),
                                  nnkit.GlobalAveragePooling1D(),
                                  nnkit.Dense(2, activation="softmax")])
        model.build((None,))
    else:
        model = nnkit.Sequential([nnkit.Dense(6, activation="relu", input_shape=(60,)),
                                  nnkit.Dense(3, activation="softmax",
                                              kernel_regularizer=nnkit.regularizers.L2(0.01))])
        model.build((60,))
    model.compile(nnkit.optimizers.Adam(0.05), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


class FailAt(nnkit.callbacks.Callback):
    """On rank ``rank``, at the third batch of epoch ``epoch``: raise, or SIGKILL itself."""

    def __init__(self, rank, parallel, epoch=0, kill=False):
        super().__init__()
        self.rank, self.parallel, self.epoch, self.kill = rank, parallel, epoch, kill
        self.current = None

    def on_epoch_begin(self, epoch, logs=None):
        self.current = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.parallel.rank == self.rank and batch == 2 and self.current == self.epoch:
            if self.kill:
                import os
                import signal
                os.kill(os.getpid(), signal.SIGKILL)
            raise RuntimeError(f"deliberate failure on rank {self.rank}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("out")
    parser.add_argument("--fail-on-rank", type=int, default=None)
    parser.add_argument("--kill-on-rank", type=int, default=None,
                        help="SIGKILL that rank at the third batch of the second epoch")
    parser.add_argument("--backup", default=None)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    nnkit.set_floatx("float64")
    nnkit.set_seed(11)
    parallel = nnkit.distributed.DataParallel()
    model = build(args.model)
    x, y = data(args.model)
    callbacks = []
    if args.fail_on_rank is not None:
        callbacks.append(FailAt(args.fail_on_rank, parallel))
    if args.kill_on_rank is not None:
        callbacks.append(FailAt(args.kill_on_rank, parallel, epoch=1, kill=True))
    if args.backup:
        callbacks.append(nnkit.callbacks.BackupAndRestore(args.backup, save_freq=1))
    history = model.fit(x, y, batch_size=8, epochs=args.epochs, verbose=0, shuffle=True,
                        validation_data=(x[:9], y[:9]), callbacks=callbacks,
                        distribute=parallel)
    if parallel.is_chief:
        np.savez(args.out, loss=np.array(history.history["loss"]),
                 val_loss=np.array(history.history["val_loss"]),
                 accuracy=np.array(history.history["accuracy"]),
                 bytes_sent=parallel.bytes_sent,
                 **{f"w{i}": w for i, w in enumerate(model.get_weights())})


if __name__ == "__main__":
    main()
