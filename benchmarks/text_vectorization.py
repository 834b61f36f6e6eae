"""TextVectorization speed: ``adapt`` on the 25,000 IMDB training reviews, then vectorise them.

    python benchmarks/text_vectorization.py [--runs 5] [--keras-python /tmp/tfvenv/bin/python]
                                            [--sklearn-python /tmp/skvenv/bin/python]

Each library runs in its own fresh subprocess with 2 threads, on the same raw reviews (read
from ``aclImdb_v1_labeled.tar.gz``; reading is not timed), and reports the median of
``--runs`` runs of each step:

- nnkit: ``TextVectorization(max_tokens=20000, output_sequence_length=500)`` (the
  ``examples/imdb_raw_text.py`` settings) ``adapt``, then the layer called on all reviews;
  and the same with ``output_mode="count"``;
- Keras 3 with TensorFlow (where ``--keras-python`` has it): the same two layers;
- scikit-learn (where ``--sklearn-python`` has it): ``CountVectorizer(max_features=20000)``
  ``fit`` then ``transform`` (its own tokenisation: a regular expression of 2+ word
  characters, lower-cased; a sparse count matrix, the work of ``output_mode="count"``).
"""
import argparse
import json
import os
import pathlib
import re
import statistics
import subprocess
import sys
import tarfile
import time

HERE = pathlib.Path(__file__).resolve().parent
REVIEW = re.compile(r"aclImdb/train/(neg|pos)/\d+_\d+\.txt")


def training_reviews(archive):
    """The 25,000 training reviews' text, in archive order."""
    texts = []
    with tarfile.open(archive, "r|gz") as tar:
        for member in tar:
            if REVIEW.fullmatch(member.name) and member.isfile():
                texts.append(tar.extractfile(member).read().decode("utf-8"))
    return texts


def timed(step, runs):
    """Median seconds of ``runs`` calls of ``step()``."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def layer_steps(make, texts, call):
    """``{mode: (adapt step, vectorise step)}`` for a TextVectorization class ``make``."""
    steps = {}
    for mode, kwargs in (("int", {"output_sequence_length": 500}),
                         ("count", {"output_mode": "count"})):
        layer = make(max_tokens=20000, **kwargs)
        steps[mode] = (lambda layer=layer: layer.adapt(texts), lambda layer=layer: call(layer))
    return steps


def worker(library, runs, texts):
    if library == "nnkit":
        sys.path.insert(0, str(HERE.parent))
        import numpy
        from nnkit.layers import TextVectorization
        array = numpy.array(texts, dtype=object)
        steps = layer_steps(TextVectorization, texts, lambda layer: layer(array))
    elif library == "keras":
        os.environ.setdefault("KERAS_BACKEND", "tensorflow")
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import keras
        import tensorflow
        tensorflow.config.threading.set_intra_op_parallelism_threads(2)
        tensorflow.config.threading.set_inter_op_parallelism_threads(2)
        tensor = tensorflow.constant(texts)
        steps = layer_steps(keras.layers.TextVectorization, texts, lambda layer: layer(tensor))
    else:
        from sklearn.feature_extraction.text import CountVectorizer
        vectorizer = CountVectorizer(max_features=20000)
        steps = {"count": (lambda: vectorizer.fit(texts), lambda: vectorizer.transform(texts))}
    out = {}
    for mode, (adapt, vectorise) in steps.items():
        adapt()                                      # warm up, and the vocabulary to use
        out[mode] = {"adapt_s": timed(adapt, runs), "vectorise_s": timed(vectorise, runs)}
    print(json.dumps(out))


def run_worker(python, library, args):
    env = dict(os.environ, OMP_NUM_THREADS="2", OPENBLAS_NUM_THREADS="2", MKL_NUM_THREADS="2")
    result = subprocess.run([python, __file__, "--worker", library, "--runs", str(args.runs),
                             "--archive", args.archive], capture_output=True, text=True,
                            env=env)
    if result.returncode != 0:
        print(f"{library}: failed\n{result.stderr[-1500:]}")
        return None
    return json.loads(result.stdout.strip().splitlines()[-1])


def has_module(python, module):
    return python and pathlib.Path(python).exists() and subprocess.run(
        [python, "-c", f"import {module}"], capture_output=True).returncode == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_data = os.environ.get("NNKIT_DATA_DIR") or HERE.parents[1] / "shared" / "data"
    parser.add_argument("--archive", default=str(pathlib.Path(default_data) / "imdb" /
                                                 "aclImdb_v1_labeled.tar.gz"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keras-python", default="/tmp/tfvenv/bin/python")
    parser.add_argument("--sklearn-python", default="/tmp/skvenv/bin/python")
    parser.add_argument("--worker", choices=("nnkit", "keras", "sklearn"), default=None)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.runs, training_reviews(args.archive))
        return
    print(f"| library | mode | adapt (s) | vectorise (s) |  (25,000 reviews, median of "
          f"{args.runs})\n|---|---|---:|---:|")
    for library, python, module in (("nnkit", sys.executable, "numpy"),
                                    ("keras", args.keras_python, "keras"),
                                    ("sklearn", args.sklearn_python, "sklearn")):
        if not has_module(python, module):
            print(f"| {library} | not installed ({python}) | | |")
            continue
        for mode, times in (run_worker(python, library, args) or {}).items():
            print(f"| {library} | {mode} | {times['adapt_s']:.2f} | {times['vectorise_s']:.2f} |")


if __name__ == "__main__":
    main()
