"""Start-up: a fresh process imports nnkit, loads an IMDB-LSTM checkpoint, predicts one review.

    python benchmarks/startup.py [--runs 9]

Builds the checkpoint once (Embedding(10000, 128, mask_zero) → LSTM(128) → masked mean →
Dense(2, softmax), with its Tokenizer stored in the file), then times fresh
``python -c`` processes (wall clock, median of ``--runs``): ``import numpy`` alone,
``import nnkit``, and the full load-and-predict command (also with
``load_model(path, compile=False)``, which skips reading the optimizer state, and from
the same model written as a Keras 3 ``.keras`` archive, the format Keras users bring,
or ``--keras-file`` given: any Keras-made ``.keras``/``.h5`` of a token model). Finally
lists the slowest imports of the full command (``python -X importtime``).

nnkit's bytecode is compiled first (``compileall``), as ``pip install`` does: with
PYTHONDONTWRITEBYTECODE set and no ``__pycache__``, every run would recompile nnkit's
sources (~35 ms).
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import common  # noqa: E402

REVIEW = ("this film was just brilliant casting location scenery story direction everyone's "
          "really suited the part they played and you could just imagine being there")

PREDICT = ("import nnkit; m = nnkit.load_model({path!r}{extra}); "
           "p = m.predict(m.tokenizer.texts_to_sequences([{review!r}])); print(p[0])")
PREDICT_KERAS = ("import numpy, nnkit; m = nnkit.load_model({path!r}); "
                 "p = m.predict(numpy.array([[12, 7, 301, 5, 44, 9, 2]])); print(p[0])")


def make_checkpoint(path):
    code = f"""
import sys; sys.path.insert(0, {HERE!r})
import nnkit, common
from nnkit.preprocessing import Tokenizer
nnkit.set_seed(0)
tokenizer = Tokenizer(num_words=common.VOCAB)
tokenizer.fit_on_texts([{REVIEW!r}, "a terrible boring movie", "great acting and a fine story"])
model = nnkit.Sequential([nnkit.Embedding(common.VOCAB, common.EMBED, mask_zero=True),
                          nnkit.LSTM(common.HIDDEN, return_sequences=True),
                          nnkit.GlobalAveragePooling1D(),
                          nnkit.Dense(common.CLASSES, activation="softmax")])
model.compile(nnkit.optimizers.Adadelta(), "sparse_categorical_crossentropy")
ids, _, labels = common.imdb_like(32, 50)
model.fit(ids, labels, batch_size=16, epochs=1, verbose=0)
model.save({path!r}, tokenizer=tokenizer)
model.save({path!r}[:-3] + ".keras")
"""
    subprocess.run([sys.executable, "-c", code], check=True, env=common.thread_env())


def time_command(code, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=common.thread_env(),
                       stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def slowest_imports(code, count=12):
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code], check=True,
                          env=common.thread_env(), capture_output=True, text=True)
    rows = []
    for line in done.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].rstrip()))
    top_level = [(us, name) for us, name in rows if not name.startswith("  ")]
    return sorted(top_level, reverse=True)[:count]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--keras-file", default=None,
                        help="a Keras-made .keras/.h5 of a token model (default: the benchmark "
                             "model written as .keras by nnkit)")
    args = parser.parse_args()
    import nnkit
    subprocess.run([sys.executable, "-m", "compileall", "-q", os.path.dirname(nnkit.__file__)],
                   check=True, stdout=subprocess.DEVNULL)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "imdb_lstm.h5")
        make_checkpoint(path)
        full = PREDICT.format(path=path, review=REVIEW, extra="")
        no_optimizer = PREDICT.format(path=path, review=REVIEW, extra=", compile=False")
        keras_file = PREDICT_KERAS.format(path=args.keras_file or path[:-3] + ".keras")
        time_command(full, 1)                           # warm the file cache
        time_command(keras_file, 1)
        for label, code in (("import numpy", "import numpy"), ("import nnkit", "import nnkit"),
                            ("import + load + predict", full),
                            ("same, compile=False", no_optimizer),
                            ("same from a .keras file", keras_file)):
            times = time_command(code, args.runs)
            print(f"{label:<26} median {common.median(times):.3f} s  "
                  f"(min {min(times):.3f}, max {max(times):.3f}, {args.runs} runs)", flush=True)
        print("\nslowest top-level imports of the full command (cumulative):")
        for us, name in slowest_imports(full):
            print(f"  {us / 1000:7.1f} ms  {name.strip()}")


if __name__ == "__main__":
    main()
