"""``text_dataset_from_directory`` and ``timeseries_dataset_from_array`` against Keras 3.

``fixtures/keras_text_datasets.json`` was recorded from Keras 3.15 + TensorFlow by
``fixtures/make_text_file_fixtures.py`` on the folder tree it lists (rebuilt here in
``tmp_path``): Keras's file order (``index_directory``), its seeded shuffle and split, its
label encodings and its windows. The rest are Keras's documented rules, checked by hand.
"""
import json
import os
import pathlib

import numpy
import pytest

import nnkit
from nnkit.errors import DTypeError, InvalidArgumentError
from nnkit.utils import text_dataset_from_directory, timeseries_dataset_from_array

RECORDED = json.loads((pathlib.Path(__file__).parent / "fixtures" /
                       "keras_text_datasets.json").read_text())


@pytest.fixture
def folder(tmp_path):
    for name, text in RECORDED["folder"].items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    return tmp_path


def every_example(dataset):
    return [(text, label.tolist()) for i in range(len(dataset))
            for text, label in zip(*dataset[i])]


def relative(root, paths):
    return [os.path.relpath(path, root).replace(os.sep, "/") for path in paths]


@pytest.mark.parametrize("case,kwargs", [
    ("inferred_sorted", {"shuffle": False}),
    ("inferred_seed_7", {"seed": 7}),
    ("unlabeled_sorted", {"labels": None, "shuffle": False}),
    ("class_names", {"shuffle": False, "class_names": ["pos", "neg"]})])
def test_files_labels_and_classes_in_keras_order(folder, case, kwargs):
    recorded = RECORDED[case]
    dataset = text_dataset_from_directory(folder, verbose=False, **kwargs)
    assert relative(folder, dataset.file_paths) == recorded["paths"]
    assert dataset.class_names == recorded["class_names"]
    texts = [RECORDED["folder"][path] for path in recorded["paths"]]
    first = dataset[0]
    if recorded["labels"] is None:
        assert first.tolist() == texts
    else:
        assert first[0].tolist() == texts
        assert first[1].dtype == numpy.int32 and first[1].tolist() == recorded["labels"]


def test_seeded_split_into_both_subsets_is_keras_split(folder):
    train, val = text_dataset_from_directory(folder, batch_size=2, seed=7, validation_split=0.3,
                                             subset="both", label_mode="categorical",
                                             verbose=False)
    recorded = RECORDED["both_seed_7"]
    # Keras's validation subset is not shuffled: same order; training is reshuffled by a
    # TensorFlow buffer, so the same examples in another order
    assert [(t, l) for t, l in every_example(val)] == [tuple(x) for x in recorded["validation"]]
    assert sorted(every_example(train)) == sorted(tuple(x) for x in recorded["training"])
    assert len(train) == 4 and train[0][1].dtype == numpy.float32
    assert train.class_names == val.class_names == ["Zeta", "neg", "pos"]
    alone = text_dataset_from_directory(folder, seed=7, validation_split=0.3,
                                        subset="validation", shuffle=True, verbose=False)
    assert sorted(alone[0][0].tolist()) == sorted(text for text, _ in recorded["validation"])


def test_max_length_cuts_bytes_and_binary_labels(folder):
    dataset = text_dataset_from_directory(folder, shuffle=False, max_length=5,
                                          label_mode="binary", class_names=["neg", "pos"],
                                          verbose=False)
    assert [(t, l) for t, l in every_example(dataset)] == \
        [(t, l) for t, l in RECORDED["max_length_5"]]
    assert dataset[0][1].shape == (7, 1)
    cut = text_dataset_from_directory(folder, shuffle=False, max_length=4, labels=None,
                                      verbose=False, batch_size=None)
    by_path = dict(zip(relative(folder, cut.file_paths), (cut[i] for i in range(len(cut)))))
    assert by_path["pos/é.txt"] == "caf"            # b"caf\xc3": the cut "é" is dropped


def test_batches_are_read_lazily_and_reshuffled_each_epoch(folder):
    dataset = text_dataset_from_directory(folder, batch_size=4, seed=1, verbose=False)
    assert len(dataset) == 3 and len(dataset[2][0]) == 1 and len(dataset[-1][0]) == 1
    with pytest.raises(IndexError):
        dataset[3]
    (folder / "pos" / "b.txt").write_text("changed after indexing")
    seen = [text for i in range(len(dataset)) for text in dataset[i][0]]
    assert "changed after indexing" in seen
    orders = set()
    for _ in range(4):
        dataset.on_epoch_end()
        orders.add(tuple(text for i in range(len(dataset)) for text in dataset[i][0]))
    assert len(orders) > 1 and all(sorted(order) == sorted(seen) for order in orders)


def test_explicit_labels_follow_the_walk_order(folder):
    count = len(RECORDED["unlabeled_sorted"]["paths"])
    labels = list(range(count))
    dataset = text_dataset_from_directory(folder, labels=labels, shuffle=False, batch_size=64,
                                          verbose=False)
    assert dataset[0][1].tolist() == labels
    assert dataset.class_names == [str(label) for label in labels]
    with pytest.raises(InvalidArgumentError, match="labels given"):
        text_dataset_from_directory(folder, labels=[0, 1], verbose=False)


def test_clear_errors(folder, tmp_path_factory):
    empty = tmp_path_factory.mktemp("flat")
    (empty / "one.txt").write_text("no class folders")
    with pytest.raises(InvalidArgumentError, match="no class subfolders.*labels=None"):
        text_dataset_from_directory(empty, verbose=False)
    (folder / "neg" / "broken.txt").write_bytes(b"ok \xff\xfe bytes")
    dataset = text_dataset_from_directory(folder, shuffle=False, batch_size=64, verbose=False)
    with pytest.raises(DTypeError, match="broken.txt.*not valid UTF-8"):
        dataset[0]
    bad = [({"label_mode": "sparse"}, "label_mode"), ({"labels": "folders"}, "labels"),
           ({"validation_split": 0.2}, "subset"), ({"subset": "training"}, "subset"),
           ({"validation_split": 1.5, "subset": "training"}, "validation_split"),
           ({"validation_split": 0.2, "subset": "training"}, "seed"),
           ({"validation_split": 0.2, "subset": "test", "seed": 1}, "subset"),
           ({"label_mode": "binary"}, "exactly 2"), ({"class_names": ["nope"]}, "nope"),
           ({"batch_size": 0}, "batch_size"), ({"labels": None, "class_names": ["neg"]},
                                                "class_names"),
           ({"validation_split": 0.01, "subset": "both", "seed": 1}, "no validation files")]
    for kwargs, message in bad:
        with pytest.raises(InvalidArgumentError, match=message):
            text_dataset_from_directory(folder, verbose=False, **kwargs)
    with pytest.raises(InvalidArgumentError, match="not a folder"):
        text_dataset_from_directory(folder / "missing", verbose=False)


def test_a_text_model_fits_on_the_dataset(folder):
    nnkit.utils.set_random_seed(0)
    train = text_dataset_from_directory(folder, batch_size=3, seed=2, verbose=False,
                                        class_names=["neg", "pos"], label_mode="binary")
    vectorize = nnkit.layers.TextVectorization(max_tokens=30, output_mode="multi_hot")
    vectorize.adapt(train)                       # (texts, labels) batches: the texts are read
    assert "great" in vectorize.get_vocabulary() and "zeta" not in vectorize.get_vocabulary()
    model = nnkit.Sequential([nnkit.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    features = [(vectorize(x), y) for x, y in (train[i] for i in range(len(train)))]
    history = model.fit(numpy.concatenate([f for f, _ in features]),
                        numpy.concatenate([y for _, y in features]), epochs=2, verbose=0)
    assert numpy.isfinite(history.history["loss"]).all()


# ---- timeseries_dataset_from_array -----------------------------------------------------
@pytest.mark.parametrize("case", sorted(RECORDED["timeseries"]))
def test_windows_match_keras(case):
    recorded = RECORDED["timeseries"][case]
    dataset = timeseries_dataset_from_array(numpy.arange(60).reshape(30, 2),
                                            numpy.arange(30) * 10, **recorded["arguments"])
    assert len(dataset) == len(recorded["batches"])
    for i, (windows, targets) in enumerate(recorded["batches"]):
        assert dataset[i][0].tolist() == windows and dataset[i][1].tolist() == targets


def test_keras_documented_windows_and_shuffle():
    dataset = timeseries_dataset_from_array(numpy.arange(99), None, sequence_length=10,
                                            sampling_rate=2, sequence_stride=3, batch_size=None)
    assert dataset[0].tolist() == list(range(0, 20, 2))
    assert dataset[1].tolist() == list(range(3, 23, 2))
    assert dataset[-1].tolist() == list(range(78, 98, 2))          # "Last sequence"
    data = numpy.arange(50.0)
    regression = timeseries_dataset_from_array(data[:-10], data[10:], sequence_length=10)
    inputs, targets = regression[0]
    assert inputs[0].tolist() == data[:10].tolist() and targets[0] == data[10]
    shuffled = timeseries_dataset_from_array(data, None, sequence_length=5, shuffle=True, seed=3,
                                             batch_size=100)
    starts = numpy.arange(46)
    numpy.random.RandomState(3).shuffle(starts)                    # Keras's rule
    assert shuffled[0][:, 0].tolist() == starts.tolist()
    for kwargs, message in [({"sampling_rate": 0}, "sampling_rate"),
                            ({"sequence_stride": 50}, "sequence_stride"),
                            ({"start_index": 60}, "start_index"),
                            ({"start_index": 5, "end_index": 5}, "end_index"),
                            ({"sequence_length": 60}, "no window")]:
        with pytest.raises(InvalidArgumentError, match=message):
            timeseries_dataset_from_array(data, None, **{"sequence_length": 5, **kwargs})
