"""Sequence to sequence: learn to reverse strings, then decode with separate inference models.

The data is made here: random strings of the letters a-j, 3 to 8 long; the target is
the string reversed. As Keras's character seq2seq example, an encoder LSTM reads the
string and its final states ``[h, c]`` start a decoder LSTM, trained with teacher
forcing (the decoder reads ``<start> + target`` and predicts ``target + <end>``).
For inference the trained layers are re-wired into an encoder model (string →
states) and a one-step decoder model (``[token, h, c] → [probabilities, h, c]``)
that share the trained weights, and the decoder runs greedily from ``<start>``
(``nnkit.utils.generation.generate``). The score is exact-match accuracy on
held-out strings.

Run: python examples/seq2seq_reverse.py [--backend numpy|cupy] [--epochs 12] [--quick]
"""
import argparse
import time

import numpy as np

import nnkit
from nnkit import layers as L
from nnkit.utils.generation import generate

LETTERS = "abcdefghij"
PAD, START, END = 0, 1, 2              # letter i is token i + 3
VOCAB = len(LETTERS) + 3


def make_strings(n, min_len, max_len, rng):
    return ["".join(rng.choice(list(LETTERS), rng.integers(min_len, max_len + 1)))
            for _ in range(n)]


def encode(strings, length, prefix=(), suffix=()):
    """``(N, length)`` int32 token ids, zero-padded at the end."""
    ids = np.zeros((len(strings), length), "int32")
    for row, text in enumerate(strings):
        tokens = [*prefix, *(LETTERS.index(ch) + 3 for ch in text), *suffix]
        ids[row, :len(tokens)] = tokens
    return ids


def build(units, embedding):
    """The training model and its layers (reused by the inference models)."""
    enc_in = nnkit.Input((None,), dtype="int32", name="string")
    dec_in = nnkit.Input((None,), dtype="int32", name="decoder_input")
    layers = {"enc_emb": L.Embedding(VOCAB, embedding, mask_zero=True),
              "encoder": L.LSTM(units, return_state=True),
              "dec_emb": L.Embedding(VOCAB, embedding, mask_zero=True),
              "decoder": L.LSTM(units, return_sequences=True, return_state=True),
              "readout": L.Dense(VOCAB, activation="softmax")}
    _, h, c = layers["encoder"](layers["enc_emb"](enc_in))
    seq, _, _ = layers["decoder"](layers["dec_emb"](dec_in), initial_state=[h, c])
    model = nnkit.Model([enc_in, dec_in], layers["readout"](seq))
    return model, layers


def inference_models(model, layers, units):
    """An encoder model (string → [h, c]) and a one-step decoder sharing the trained weights."""
    encoder = nnkit.Model(model.input[0], list(layers["encoder"].output[1:]))
    token, h_in, c_in = nnkit.Input((None,), dtype="int32"), nnkit.Input((units,)), \
        nnkit.Input((units,))
    seq, h, c = layers["decoder"](layers["dec_emb"](token), initial_state=[h_in, c_in])
    decoder = nnkit.Model([token, h_in, c_in], [layers["readout"](seq), h, c])
    return encoder, decoder


def decode(encoder, decoder, ids, max_len):
    """Greedy decoding: the strings the model writes for ``ids`` (up to ``<end>``)."""
    states = encoder.predict(ids, verbose=0)
    start = np.full((len(ids), 1), START, "int32")
    produced = generate(decoder, start, max_len + 1, states=states, temperature=0)
    out = []
    for row in produced:
        ends = np.flatnonzero(row == END)
        row = row[:ends[0]] if len(ends) else row
        out.append("".join(LETTERS[t - 3] if t >= 3 else "?" for t in row))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["numpy", "cupy"], default="numpy")
    parser.add_argument("--train", type=int, default=20000, help="training strings")
    parser.add_argument("--test", type=int, default=1000, help="held-out strings")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--units", type=int, default=128)
    parser.add_argument("--embedding", type=int, default=16)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--max-len", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="a tiny run (tests)")
    args = parser.parse_args()
    if args.quick:
        args.train, args.test, args.epochs, args.units = 600, 50, 1, 16
    nnkit.backend.set_backend(args.backend)
    nnkit.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    train, test = (make_strings(n, 3, args.max_len, rng) for n in (args.train, args.test))
    length = args.max_len + 1
    x_enc = encode(train, length)
    x_dec = encode([s[::-1] for s in train], length, prefix=(START,))
    y = encode([s[::-1] for s in train], length, suffix=(END,))
    model, layers = build(args.units, args.embedding)
    model.compile("adam", "sparse_categorical_crossentropy")
    started = time.perf_counter()
    model.fit([x_enc, x_dec], y, batch_size=args.batch_size, epochs=args.epochs,
              validation_split=0.05, verbose=2)
    trained = time.perf_counter() - started
    encoder, decoder = inference_models(model, layers, args.units)
    written = decode(encoder, decoder, encode(test, length), args.max_len)
    exact = np.mean([w == s[::-1] for w, s in zip(written, test)])
    for source, output in list(zip(test, written))[:5]:
        print(f"{source:>10} -> {output}")
    print(f"exact-match accuracy: {exact:.3f} on {len(test)} held-out strings "
          f"({trained:.0f} s training)")


if __name__ == "__main__":
    main()
