"""IMDB sentiment with a Transformer block (keras.io's "Text classification with Transformer").

The keras.io example as written there: a custom ``TokenAndPositionEmbedding`` layer
(token ``Embedding`` plus a position ``Embedding`` of ``ops.arange(maxlen)``, added with
``x + positions``) and a custom ``TransformerBlock`` (MultiHeadAttention, ``inputs +
attn_output``, LayerNormalization, a two-Dense feed-forward network), both written with
``call()``; then GlobalAveragePooling1D → Dropout → Dense(20, relu) → Dropout →
Dense(2, softmax), trained with Adam on the first 200 words of each review.

The layers are keras.io's unchanged but for the import (the positions ``(T,)`` are looked up
as rank-1 ids and broadcast in ``x + positions``; the float ``Input`` is cast to ids, as Keras
casts it).

    python examples/imdb_transformer.py                      # keras.io's settings: 2 epochs
    python examples/imdb_transformer.py --limit 500 --epochs 1      # a quick run
"""
import time

import nnkit
from nnkit import layers, ops

from imdb_common import attention_data, attention_parser


class TransformerBlock(layers.Layer):
    def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1, **kwargs):
        super().__init__(**kwargs)
        self.att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.ffn = nnkit.Sequential([layers.Dense(ff_dim, activation="relu"),
                                     layers.Dense(embed_dim)])
        self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
        self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)
        self.dropout1 = layers.Dropout(rate)
        self.dropout2 = layers.Dropout(rate)

    def call(self, inputs, training=False):
        attn_output = self.att(inputs, inputs)
        attn_output = self.dropout1(attn_output, training=training)
        out1 = self.layernorm1(inputs + attn_output)
        ffn_output = self.ffn(out1)
        ffn_output = self.dropout2(ffn_output, training=training)
        return self.layernorm2(out1 + ffn_output)


class TokenAndPositionEmbedding(layers.Layer):
    def __init__(self, maxlen, vocab_size, embed_dim, **kwargs):
        super().__init__(**kwargs)
        self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def call(self, x):
        maxlen = ops.shape(x)[-1]
        positions = ops.arange(start=0, stop=maxlen, step=1)
        positions = self.pos_emb(positions)
        x = self.token_emb(x)
        return x + positions


def build_model(maxlen, vocab_size, embed_dim=32, num_heads=2, ff_dim=32):
    inputs = layers.Input(shape=(maxlen,))
    x = TokenAndPositionEmbedding(maxlen, vocab_size, embed_dim)(inputs)
    x = TransformerBlock(embed_dim, num_heads, ff_dim)(x)
    x = layers.GlobalAveragePooling1D()(x)
    x = layers.Dropout(0.1)(x)
    x = layers.Dense(20, activation="relu")(x)
    x = layers.Dropout(0.1)(x)
    outputs = layers.Dense(2, activation="softmax")(x)
    return nnkit.Model(inputs=inputs, outputs=outputs)


def main():
    args = attention_parser(__doc__.splitlines()[0]).parse_args()
    (x_train, y_train), (x_val, y_val) = attention_data(args)
    print(len(x_train), "Training sequences")
    print(len(x_val), "Validation sequences")

    model = build_model(args.maxlen, args.vocab_size)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs,
              validation_data=(x_val, y_val), verbose=2)
    per_epoch = (time.perf_counter() - start) / args.epochs
    loss, accuracy = model.evaluate(x_val, y_val, verbose=0)
    print(f"test accuracy {accuracy:.4f}, loss {loss:.4f} on {len(x_val)} reviews; "
          f"{per_epoch:.1f} s per epoch (with validation)")


if __name__ == "__main__":
    main()
