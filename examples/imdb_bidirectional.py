"""IMDB sentiment with a forward and a reversed LSTM whose masked means are concatenated.

Embedding(V, 128, mask_zero) → Bidirectional(LSTM(128, return_sequences),
merge_mode="concat") → mean over the unmasked steps (the mean of the
concatenation is the concatenation of the two means) → Dropout(0.5) →
Dense(2, softmax), Adadelta. The reversed LSTM starts at each review's last
real token, never at padding.

    python examples/imdb_bidirectional.py
    python examples/imdb_bidirectional.py --predict "Dull and far too long."
"""
import nnkit
from imdb_common import recurrent_layer, run


def build_model(args):
    return nnkit.Sequential([
        nnkit.Embedding(args.num_words, args.embedding, mask_zero=True),
        nnkit.Bidirectional(recurrent_layer(args, return_sequences=True), merge_mode="concat"),
        nnkit.GlobalAveragePooling1D(),
        nnkit.Dropout(0.5),
        nnkit.Dense(2, activation="softmax"),
    ], name="imdb_bidirectional")


if __name__ == "__main__":
    run(build_model, __doc__.split("\n\n")[0], "imdb_bidirectional.h5")
