"""nnkit side of the IMDB-LSTM benchmark (run by lstm_imdb.py / memory.py; prints JSON).

Embedding(10000, 128, mask_zero) → LSTM(128, return_sequences) (or ``--cell gru``: GRU) → GlobalAveragePooling1D
(the masked mean) → Dense(2, softmax), Adadelta(lr=1, rho=0.95, eps=1e-6), float32.
Training is ``model.fit`` (one epoch, batches in order, so the fit loop's own cost is
included); inference is ``model.predict``. ``--no-lstm`` drops the LSTM to time the rest.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

import nnkit  # noqa: E402


def build(lstm=True, cell="lstm"):
    layers = [nnkit.Embedding(common.VOCAB, common.EMBED, mask_zero=True)]
    if lstm:
        recurrent = nnkit.GRU if cell == "gru" else nnkit.LSTM
        layers.append(recurrent(common.HIDDEN, return_sequences=True))
    layers += [nnkit.GlobalAveragePooling1D(), nnkit.Dense(common.CLASSES, activation="softmax")]
    model = nnkit.Sequential(layers)
    model.compile(nnkit.optimizers.Adadelta(learning_rate=1.0, rho=0.95, epsilon=1e-6),
                  "sparse_categorical_crossentropy")
    return model


def main():
    parser = common.lstm_worker_parser()
    parser.add_argument("--no-lstm", action="store_true")
    parser.add_argument("--bucket", action="store_true", help="also time fit(shuffle='bucket')")
    args = parser.parse_args()
    nnkit.set_seed(0)
    ids, lengths, labels = common.imdb_like(args.seqs, args.maxlen)
    model = build(lstm=not args.no_lstm, cell=args.cell)
    result = {"framework": "nnkit", "batch": args.batch, "maxlen": args.maxlen,
              "seqs": args.seqs, "tokens": int(lengths.sum())}

    def train(shuffle=False, x=ids, y=labels):
        model.fit(x, y, batch_size=args.batch, epochs=1, shuffle=shuffle, verbose=0)

    if args.mode == "memory":
        baseline = common.peak_rss_mib()
        start = time.perf_counter()
        train(x=ids[:args.steps * args.batch], y=labels[:args.steps * args.batch])
        result.update({"steps": args.steps, "seconds": time.perf_counter() - start,
                       "rss_before_mib": baseline, "peak_rss_mib": common.peak_rss_mib()})
    else:
        result["train_s"] = common.timed_reps(train, args.reps)
        result["infer_s"] = common.timed_reps(lambda: model.predict(ids, batch_size=args.batch),
                                              args.reps)
        if args.bucket:
            result["train_bucket_s"] = common.timed_reps(lambda: train("bucket"), args.reps)
    common.emit(result)


if __name__ == "__main__":
    main()
