"""IMDB sentiment with Bahdanau-style attention pooling over an LSTM's outputs.

Embedding(mask_zero) → LSTM(return_sequences) → attention → Dense(1, sigmoid), built
with the functional API from Keras's own layers; padded steps are masked throughout
(the Embedding's mask reaches the LSTM, the attention's value mask and the pooling).
Two poolings (``--pooling``):

- ``query`` (default, Bahdanau et al.'s additive attention as a pooling): the keys are
  ``Dense(units)(h)``, the query is ``Dense(units)`` of the masked mean of ``h`` (one
  query per review), and ``AdditiveAttention`` scores every step with
  ``Σ_d scale_d · tanh(q + k_t)_d``; the review's vector is the attention-weighted sum of
  the LSTM outputs ``h_t`` (padded steps get weight 0).
- ``self``: ``AdditiveAttention()([h, h])``, every step attending over all steps, then the
  masked mean of the attended steps (GlobalAveragePooling1D with the mask).

    python examples/imdb_attention_pooling.py                         # 2 epochs, full data
    python examples/imdb_attention_pooling.py --limit 500 --epochs 1  # a quick run
"""
import time

import nnkit
from nnkit import layers

from imdb_common import attention_data, attention_parser


def build_model(maxlen, vocab_size, embedding=64, units=64, pooling="query"):
    """Token ids ``(N, maxlen)`` → P(positive) ``(N, 1)`` (``maxlen`` None: any length)."""
    ids = layers.Input(shape=(maxlen,), dtype="int32")
    x = layers.Embedding(vocab_size, embedding, mask_zero=True)(ids)
    h = layers.LSTM(units, return_sequences=True)(x)                     # (N, T, H), masked
    if pooling == "query":
        keys = layers.Dense(units)(h)                                    # (N, T, H)
        query = layers.Dense(units)(layers.GlobalAveragePooling1D()(h))  # (N, H)
        query = layers.Reshape((1, units))(query)                        # one query step
        context = layers.AdditiveAttention()([query, h, keys])           # (N, 1, H)
        pooled = layers.Flatten()(context)
    else:
        attended = layers.AdditiveAttention()([h, h])                    # (N, T, H)
        pooled = layers.GlobalAveragePooling1D()(attended)
    outputs = layers.Dense(1, activation="sigmoid")(pooled)
    return nnkit.Model(inputs=ids, outputs=outputs)


def main():
    parser = attention_parser(__doc__.splitlines()[0])
    parser.add_argument("--pooling", choices=["query", "self"], default="query",
                        help="a learned query over the steps, or self-attention + masked mean")
    parser.add_argument("--embedding", type=int, default=64)
    parser.add_argument("--units", type=int, default=64)
    args = parser.parse_args()
    (x_train, y_train), (x_test, y_test) = attention_data(args)
    print(len(x_train), "training and", len(x_test), "test reviews")

    model = build_model(args.maxlen, args.vocab_size, args.embedding, args.units,
                        args.pooling)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs,
              validation_split=0.1, verbose=2)
    per_epoch = (time.perf_counter() - start) / args.epochs
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test accuracy {accuracy:.4f}, loss {loss:.4f} on {len(x_test)} reviews "
          f"({args.pooling} pooling); {per_epoch:.1f} s per epoch")


if __name__ == "__main__":
    main()
