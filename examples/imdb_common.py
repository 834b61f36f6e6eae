"""What the IMDB examples share: options, data, training with callbacks, raw-text prediction."""
import argparse
import time

import nnkit
from nnkit.datasets import imdb
from nnkit.preprocessing import Tokenizer, pad_sequences

RECURRENT = {"lstm": nnkit.LSTM, "gru": nnkit.GRU}


def recurrent_layer(args, **kwargs):
    """The ``--cell`` layer with ``--units`` units."""
    return RECURRENT[args.cell](args.units, **kwargs)


def parse_args(description, checkpoint):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--num-words", type=int, default=10000, help="vocabulary size V")
    parser.add_argument("--maxlen", type=int, default=400,
                        help="keep the last MAXLEN tokens of each review")
    parser.add_argument("--embedding", type=int, default=128)
    parser.add_argument("--units", type=int, default=128, help="recurrent hidden size H")
    parser.add_argument("--cell", choices=sorted(RECURRENT), default="lstm",
                        help="the recurrent layer: LSTM (default) or GRU (reset_after=True)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--patience", type=int, default=3, help="EarlyStopping patience")
    parser.add_argument("--validation-split", type=float, default=0.05)
    parser.add_argument("--limit", type=int, default=None,
                        help="use only the first LIMIT training and test reviews (quick runs)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--checkpoint", default=checkpoint)
    parser.add_argument("--data", default=None,
                        help="folder with imdb.npz and imdb_word_index.json "
                             "(default: $NNKIT_DATA_DIR/imdb or download)")
    parser.add_argument("--backend", choices=["numpy", "cupy"], default="numpy")
    parser.add_argument("--plot", metavar="PNG", default=None,
                        help="draw the training history (loss, accuracy; needs matplotlib)")
    parser.add_argument("--profile", metavar="CSV", default=None,
                        help="print where the fit's time went (nnkit's profiler) and write "
                             "the table to CSV")
    parser.add_argument("--predict", metavar="TEXT", default=None,
                        help="load the checkpoint and print the sentiment of TEXT")
    parser.add_argument("--from-keras", metavar="FILE", default=None,
                        help="a sentiment model trained in Keras (.keras, or Keras 2 .h5): "
                             "evaluate it on the test set with nnkit (or, with --predict, "
                             "run it on TEXT)")
    args = parser.parse_args()
    nnkit.backend.set_backend(args.backend)
    nnkit.backend.keep_freed_memory()  # reuse freed temporaries: far fewer page faults
    return args


def attention_parser(description):
    """The options the keras.io-style attention examples share; each adds its own."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--backend", choices=["numpy", "cupy"], default="numpy")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--maxlen", type=int, default=200)
    parser.add_argument("--vocab-size", type=int, default=20000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--limit", type=int, default=None,
                        help="use only the first LIMIT training and test reviews (quick runs)")
    parser.add_argument("--seed", type=int, default=0)
    return parser


def attention_data(args):
    """Set ``args``' backend and seed; return the pre-padded ``(x_train, y_train), (x_test,
    y_test)`` of ``attention_parser``'s options."""
    nnkit.backend.set_backend(args.backend)
    nnkit.utils.set_random_seed(args.seed)
    return load_padded(args.vocab_size, args.maxlen, args.limit, padding="pre")


def tokenizer_for(args):
    """Raw text → the ids ``imdb.load_data`` uses (start 1, OOV 2, words from index 3)."""
    return Tokenizer.from_word_index(imdb.get_word_index(args.data), num_words=args.num_words,
                                     index_from=3, start_char=1, oov_char=2)


def load_padded(num_words, maxlen, limit=None, padding="post", path=None):
    """``(x_train, y_train), (x_test, y_test)`` as ``(N, maxlen)`` int32 ids padded with 0
    (``padding="pre"`` is Keras's default), the first ``limit`` reviews of each split."""
    (x_train, y_train), (x_test, y_test) = imdb.load_data(path, num_words=num_words)
    if limit:
        x_train, y_train = x_train[:limit], y_train[:limit]
        x_test, y_test = x_test[:limit], y_test[:limit]
    pad = dict(maxlen=maxlen, padding=padding, truncating="pre")
    return (pad_sequences(x_train, **pad), y_train), (pad_sequences(x_test, **pad), y_test)


def train_and_evaluate(model, args):
    """Fit with validation, EarlyStopping and ModelCheckpoint; print test accuracy and time.

    Under ``mpiexec -n K`` (the ``mpi`` extra) the global batches are split over K ranks;
    rank 0 prints, checkpoints and saves.
    """
    parallel = nnkit.distributed.DataParallel()
    nnkit.set_seed(args.seed)
    (x_train, y_train), (x_test, y_test) = load_padded(args.num_words, args.maxlen, args.limit,
                                                       path=args.data)
    model.compile(nnkit.optimizers.Adadelta(learning_rate=1.0),
                  "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.tokenizer = tokenizer_for(args)
    callbacks = [
        nnkit.callbacks.EarlyStopping("val_accuracy", patience=args.patience,
                                      restore_best_weights=True),
        nnkit.callbacks.ModelCheckpoint(args.checkpoint, monitor="val_accuracy",
                                        save_best_only=True),
    ]
    start = time.perf_counter()
    history = model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs,
                        validation_split=args.validation_split, callbacks=callbacks,
                        shuffle="bucket", distribute=parallel, profile=args.profile or False)
    train_seconds = time.perf_counter() - start
    if args.plot and parallel.is_chief:
        nnkit.utils.plot_history(history, args.plot, title=model.name)
    start = time.perf_counter()
    result = model.evaluate(x_test, y_test, batch_size=256, return_dict=True)
    test_seconds = time.perf_counter() - start
    if not parallel.is_chief:
        return result
    model.save(args.checkpoint)
    print(f"test accuracy {result['accuracy']:.4f} (loss {result['loss']:.4f}) on "
          f"{len(y_test)} reviews; training {train_seconds:.0f} s, testing {test_seconds:.0f} s; "
          f"checkpoint {args.checkpoint}")
    return result


def load_keras_model(args):
    """The Keras-trained model of ``--from-keras``, with the IMDB tokenizer, compiled for
    ``evaluate`` (with its own loss when the file has one)."""
    model = nnkit.load_model(args.from_keras)
    model.tokenizer = tokenizer_for(args)
    if model.optimizer is None:
        binary = model.outputs[0].shape[-1] == 1
        model.compile("sgd", "binary_crossentropy" if binary else
                      "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def evaluate_keras_model(args):
    """Test accuracy of the ``--from-keras`` model, computed by nnkit."""
    model = load_keras_model(args)
    _, (x_test, y_test) = load_padded(args.num_words, args.maxlen, args.limit, path=args.data)
    start = time.perf_counter()
    result = model.evaluate(x_test, y_test, batch_size=256, return_dict=True)
    print(f"{args.from_keras} (trained in Keras) run by nnkit: test accuracy "
          f"{result['accuracy']:.4f} on {len(y_test)} reviews in "
          f"{time.perf_counter() - start:.1f} s")
    return result


def predict_text(args):
    """Load the checkpoint (with its tokenizer) and print the sentiment of ``args.predict``."""
    model = load_keras_model(args) if args.from_keras else nnkit.load_model(args.checkpoint)
    ids = model.tokenizer.texts_to_sequences([args.predict])
    x = pad_sequences(ids, maxlen=args.maxlen, padding="post", truncating="pre")
    positive = float(model.predict(x)[0, -1])     # P(positive): softmax's 2nd or sigmoid
    label = "positive" if positive >= 0.5 else "negative"
    print(f"{label} (P(positive) = {positive:.3f})")


def run(build_model, description, checkpoint):
    args = parse_args(description, checkpoint)
    if args.predict is not None:
        predict_text(args)
    elif args.from_keras:
        evaluate_keras_model(args)
    else:
        train_and_evaluate(build_model(args), args)
