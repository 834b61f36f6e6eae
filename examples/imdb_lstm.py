"""IMDB sentiment with the Theano LSTM tutorial's model.

Embedding(V, 128, mask_zero) → LSTM(128, return_sequences) → mean over the
unmasked steps → Dropout(0.5) → Dense(2, softmax), trained with Adadelta.

    python examples/imdb_lstm.py                          # train, print test accuracy, save
    python examples/imdb_lstm.py --predict "A wonderful, moving film."
    python examples/imdb_lstm.py --cell gru --checkpoint imdb_gru.h5     # the GRU variant
"""
import nnkit
from imdb_common import recurrent_layer, run


def build_model(args):
    return nnkit.Sequential([
        nnkit.Embedding(args.num_words, args.embedding, mask_zero=True),
        recurrent_layer(args, return_sequences=True),
        nnkit.GlobalAveragePooling1D(),
        nnkit.Dropout(0.5),
        nnkit.Dense(2, activation="softmax"),
    ], name="imdb_lstm")


if __name__ == "__main__":
    run(build_model, __doc__.split("\n\n")[0], "imdb_lstm.h5")
