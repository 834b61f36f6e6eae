"""IMDB loader: Keras semantics on hand-made files, and the real data checked against genuine Keras output."""
import io
import json
import os
import tarfile
from pathlib import Path

import numpy as np
import pytest

from nnkit.datasets import imdb
from nnkit.datasets.download import DatasetError
from nnkit.errors import InvalidArgumentError

REPO = Path(__file__).resolve().parents[1]


def keras_reference(x_train, y_train, x_test, y_test, num_words=None, skip_top=0, maxlen=None, seed=113,
                    start_char=1, oov_char=2, index_from=3):
    """Keras's imdb.load_data procedure, written plainly with Python lists."""
    generator = np.random.RandomState(seed)
    splits = []
    for xs, ys in ((x_train, y_train), (x_test, y_test)):
        order = np.arange(len(xs))
        generator.shuffle(order)
        xs = [([start_char] if start_char is not None else []) + [w + index_from for w in xs[i]] for i in order]
        ys = [ys[i] for i in order]
        if maxlen:
            kept = [i for i, x in enumerate(xs) if len(x) < maxlen]
            xs, ys = [xs[i] for i in kept], [ys[i] for i in kept]
        splits.append((xs, ys))
    limit = num_words or max(w for xs, _ in splits for x in xs for w in x)
    encode = (lambda x: [w if skip_top <= w < limit else oov_char for w in x]) if oov_char is not None \
        else (lambda x: [w for w in x if skip_top <= w < limit])
    return [([encode(x) for x in xs], ys) for xs, ys in splits]


def object_array(rows):
    array = np.empty(len(rows), dtype=object)
    for index, row in enumerate(rows):
        array[index] = row
    return array


@pytest.fixture
def small_npz(tmp_path):
    """A hand-made Keras-format imdb.npz: returns (path, raw lists)."""
    generator = np.random.default_rng(7)
    raw = {}
    for split, size in (("train", 9), ("test", 7)):
        raw[f"x_{split}"] = [generator.integers(1, 30, size=n).tolist() for n in generator.integers(0, 9, size)]
        raw[f"y_{split}"] = generator.integers(0, 2, size).tolist()
    path = tmp_path / "imdb.npz"
    np.savez(path, **{key: object_array(value) if key.startswith("x") else np.array(value, dtype=np.int64)
                      for key, value in raw.items()})
    return path, raw


@pytest.mark.parametrize("options", [
    {}, {"num_words": 12}, {"skip_top": 5}, {"maxlen": 6}, {"maxlen": 4, "num_words": 20, "skip_top": 2},
    {"oov_char": None, "num_words": 15, "skip_top": 6}, {"start_char": None, "index_from": 0}, {"seed": 5},
])
def test_load_data_matches_keras_procedure(small_npz, options):
    path, raw = small_npz
    (x_train, y_train), (x_test, y_test) = imdb.load_data(path=path, **options)
    expected = keras_reference(raw["x_train"], raw["y_train"], raw["x_test"], raw["y_test"], **options)
    assert [x_train.tolist(), y_train.tolist()] == [expected[0][0], expected[0][1]]
    assert [x_test.tolist(), y_test.tolist()] == [expected[1][0], expected[1][1]]
    assert x_train.dtype == object and y_train.dtype == np.int64


def test_maxlen_keeps_only_strictly_shorter_and_skip_top_hits_start_char(tmp_path):
    path = tmp_path / "tiny.npz"
    np.savez(path, x_train=object_array([[1, 2], [3, 4, 5]]), y_train=np.array([1, 0]),
             x_test=object_array([[6], [7, 8]]), y_test=np.array([0, 1]))
    # with start_char the lengths are 3, 4 (train) and 2, 3 (test); maxlen=4 keeps length < 4 only
    (x_train, y_train), (x_test, _) = imdb.load_data(path=path, maxlen=4, seed=0, num_words=100)
    assert x_train.tolist() == [[1, 4, 5]] and y_train.tolist() == [1]
    assert sorted(x_test.tolist()) == [[1, 9], [1, 10, 11]]
    (x_train, _), _ = imdb.load_data(path=path, maxlen=4, seed=0, num_words=100, skip_top=5)
    assert x_train.tolist() == [[2, 2, 5]]
    with pytest.raises(InvalidArgumentError, match="maxlen=2 removes every x_train sequence"):
        imdb.load_data(path=path, maxlen=2)


def test_num_words_none_follows_keras_largest_id_quirk(tmp_path):
    path = tmp_path / "tiny.npz"
    np.savez(path, x_train=object_array([[1, 9]]), y_train=np.array([1]), x_test=object_array([[2]]),
             y_test=np.array([0]))
    (x_train, _), (x_test, _) = imdb.load_data(path=path)
    assert x_train.tolist() == [[1, 4, 2]] and x_test.tolist() == [[1, 5]]


def test_hostile_pickle_is_refused(tmp_path):
    class Hostile:
        def __reduce__(self):
            return os.mkdir, (str(tmp_path / "pwned"),)

    path = tmp_path / "hostile.npz"
    np.savez(path, x_train=object_array([Hostile()]), y_train=np.array([1]), x_test=object_array([[1]]),
             y_test=np.array([0]))
    with pytest.raises(DatasetError, match="refusing to load posix.mkdir"):
        imdb.load_data(path=path)
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("arrays, message", [
    ({"y_train": np.array([1, 5])}, "y_train must hold integer labels 0 and 1"),
    ({"y_train": np.array([1])}, "x_train and y_train must be 1-D arrays of the same length"),
    ({"x_test": None}, "There is no item named 'x_test.npy'"),
    ({"x_train": object_array([[1, -4], [2]])}, "x_train holds negative word ranks"),
])
def test_malformed_npz_is_rejected(tmp_path, arrays, message):
    contents = {"x_train": object_array([[1], [2]]), "y_train": np.array([1, 0]),
                "x_test": object_array([[1]]), "y_test": np.array([0]), **arrays}
    path = tmp_path / "bad.npz"
    np.savez(path, **{key: value for key, value in contents.items() if value is not None})
    with pytest.raises(DatasetError, match=message):
        imdb.load_data(path=path)


@pytest.mark.parametrize("options, message", [
    ({"num_words": 0}, "num_words must be an int >= 1 or None, received 0"),
    ({"maxlen": -1}, "maxlen must be an int >= 1 or None, received -1"),
    ({"skip_top": 1.5}, "skip_top must be an int >= 0, received 1.5"),
])
def test_load_data_bad_arguments(small_npz, options, message):
    with pytest.raises(InvalidArgumentError, match=f"imdb.load_data: {message}"):
        imdb.load_data(path=small_npz[0], **options)


def test_missing_path_names_it(tmp_path):
    with pytest.raises(DatasetError, match="nowhere.npz' does not exist"):
        imdb.load_data(path=tmp_path / "nowhere.npz")


def test_load_texts_orders_positive_then_negative_by_file_name(tmp_path):
    path = tmp_path / "aclImdb_v1.tar.gz"
    members = {"aclImdb/train/pos/10_7.txt": "ten", "aclImdb/train/neg/3_1.txt": "three",
               "aclImdb/train/pos/2_9.txt": "two", "aclImdb/test/pos/0_8.txt": "test",
               "aclImdb/train/unsup/0_0.txt": "unlabelled", "aclImdb/README": "readme"}
    with tarfile.open(path, "w:gz") as archive:
        for name, text in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(text)
            archive.addfile(info, io.BytesIO(text.encode()))
    texts, labels = imdb.load_texts(path=tmp_path, split="train")
    assert texts == ["ten", "two", "three"] and labels.tolist() == [1, 1, 0]
    with pytest.raises(DatasetError, match=r"holds no aclImdb/test/\{pos,neg\}"):
        imdb.load_texts(path=path, split="test")
    with pytest.raises(InvalidArgumentError, match="split must be 'train' or 'test', received 'dev'"):
        imdb.load_texts(path=path, split="dev")


def test_texts_to_sequences_uses_keras_word_index_rules(tmp_path):
    (tmp_path / "imdb_word_index.json").write_text(json.dumps({"the": 1, "movie": 2, "Álvaro": 3, "great": 4}))
    text = "The MOVIE, Álvaro!<br />great unknown"
    assert imdb.texts_to_sequences([text], path=tmp_path) == [[1, 4, 5, 6, 7]]
    assert imdb.texts_to_sequences([text], path=tmp_path, num_words=6, skip_top=5) == [[2, 2, 5, 2, 2]]
    assert imdb.texts_to_sequences([text], path=tmp_path, start_char=None, oov_char=None, num_words=6) == [[4, 5]]
    with pytest.raises(InvalidArgumentError, match="imdb.texts_to_sequences: texts must be a list of str"):
        imdb.texts_to_sequences(text, path=tmp_path)


# ---- real data -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def imdb_dir():
    root = Path(os.environ.get("NNKIT_DATA_DIR") or REPO.parent / "shared" / "data")
    if not (root / "imdb" / "imdb.npz").is_file():
        pytest.skip(f"real IMDB files not found in {root}/imdb (set NNKIT_DATA_DIR to the shared data folder)")
    return root / "imdb"


@pytest.fixture(scope="module")
def imdb_500(imdb_dir):
    return imdb.load_data(path=imdb_dir, num_words=500)


def test_real_imdb_full_vocabulary(imdb_dir):
    (x_train, y_train), (x_test, y_test) = imdb.load_data(path=imdb_dir)
    assert x_train[0][:14] == [1, 14, 22, 16, 43, 530, 973, 1622, 1385, 65, 458, 4468, 66, 3941]
    assert len(x_train) == len(y_train) == len(x_test) == len(y_test) == 25000
    assert y_train.sum() == y_test.sum() == 12500
    lengths = [len(x) for x in x_train]
    assert round(float(np.mean(lengths)), 2) == 238.71 and max(lengths) == 2494
    assert max(len(x) for x in x_test) == 2315


def test_real_imdb_equals_genuine_keras_subset(imdb_dir, imdb_500):
    (x_train, y_train), (x_test, y_test) = imdb_500
    with np.load(imdb_dir / "imdb_keras_subset_num_words500.npz", allow_pickle=True) as keras:
        assert x_train[:5000].tolist() == [list(x) for x in keras["arr_0"]]
        assert x_test[:1000].tolist() == [list(x) for x in keras["arr_2"]]
        np.testing.assert_array_equal(y_train[:5000], keras["arr_1"])
        np.testing.assert_array_equal(y_test[:1000], keras["arr_3"])


def test_real_word_index_and_raw_texts_encode_like_load_data(imdb_dir, imdb_500):
    word_index = imdb.get_word_index(path=imdb_dir)
    assert len(word_index) == 88584 and word_index["the"] == 1
    assert sorted(word_index.values()) == list(range(1, 88585))
    texts, labels = imdb.load_texts(path=imdb_dir, split="train")
    assert len(texts) == 25000 and labels[:12500].all() and not labels[12500:].any()
    order = np.arange(25000)
    np.random.RandomState(113).shuffle(order)
    (x_train, y_train), _ = imdb_500
    sample = order[:300]
    assert imdb.texts_to_sequences([texts[i] for i in sample], path=imdb_dir, num_words=500) == \
        x_train[:300].tolist()
    np.testing.assert_array_equal(labels[sample], y_train[:300])


def test_real_ratings_follow_the_reviews(imdb_dir, imdb_500):
    """Ratings from the archive's file names, in load_data's order; counts as published."""
    (x_train, y_train, r_train), (x_test, y_test, r_test) = imdb.load_data(
        path=imdb_dir, num_words=500, ratings=True)
    (x_plain, y_plain), _ = imdb_500
    assert x_train.tolist() == x_plain.tolist()
    np.testing.assert_array_equal(y_train, y_plain)
    np.testing.assert_array_equal(r_train >= 7, y_train == 1)
    np.testing.assert_array_equal(r_test >= 7, y_test == 1)
    assert np.bincount(r_train).tolist() == [0, 5100, 2284, 2420, 2696, 0, 0, 2496, 3009, 2263, 4732]
    assert np.bincount(r_test).tolist() == [0, 5022, 2302, 2541, 2635, 0, 0, 2307, 2850, 2344, 4999]
    texts, _ = imdb.load_texts(path=imdb_dir, split="train")
    stored = imdb.load_ratings(imdb_dir, "train")
    assert texts[0].startswith("Bromwell High") and stored[0] == 9      # aclImdb/train/pos/0_9.txt
    (_, _, r_short), _ = imdb.load_data(path=imdb_dir, num_words=500, maxlen=100, ratings=True)
    lengths = np.array([len(x) for x in x_train])
    np.testing.assert_array_equal(r_short, r_train[lengths < 100])
