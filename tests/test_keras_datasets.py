"""keras.datasets on nnkit: mnist, fashion_mnist, boston_housing, reuters and imdb downloaded through
get_file from file:// origins (the fixtures of tests/fixtures/datasets/), with Keras's procedures."""
import hashlib
import json
import pathlib
import sys

import numpy as np
import pytest

import nnkit
from nnkit.datasets import boston_housing, fashion_mnist, imdb, mnist, reuters
from nnkit.errors import InvalidArgumentError
from nnkit.utils.downloads import ChecksumError

FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures" / "datasets"
ORIGIN = FIXTURES.as_uri() + "/"
KERAS_SHA256 = {"mnist": "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
                "boston_housing": "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5",
                "reuters": "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916",
                "imdb": "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"}


def digest(name, algorithm="sha256"):
    return hashlib.new(algorithm, (FIXTURES / name).read_bytes()).hexdigest()


def stored(name):
    """The fixture's arrays, read plainly with NumPy."""
    with np.load(FIXTURES / name, allow_pickle=True) as arrays:
        return {key: arrays[key] for key in arrays.files}


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    """No nnkit data folder: downloads go to Keras's cache, here ``$KERAS_HOME``."""
    monkeypatch.delenv("NNKIT_DATA_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    for module in (mnist, fashion_mnist, boston_housing, reuters):
        monkeypatch.setattr(module, "ORIGIN_FOLDER", ORIGIN)
    return tmp_path / "keras" / "datasets"


@pytest.fixture
def fixture_hashes(monkeypatch):
    """Accept the fixtures in place of Keras's real files."""
    monkeypatch.setattr(mnist, "FILE_SHA256", digest("mnist.npz"))
    monkeypatch.setattr(boston_housing, "FILE_SHA256", digest("boston_housing.npz"))
    monkeypatch.setattr(reuters, "FILE_SHA256", digest("reuters.npz"))
    monkeypatch.setattr(reuters, "WORD_INDEX_MD5", digest("reuters_word_index.json", "md5"))
    monkeypatch.setattr(imdb, "NPZ_URL", ORIGIN + "imdb.npz")
    monkeypatch.setattr(imdb, "NPZ_SHA256", digest("imdb.npz"))
    monkeypatch.setattr(imdb, "WORD_INDEX_URL", ORIGIN + "imdb_word_index.json")
    monkeypatch.setattr(imdb, "WORD_INDEX_MD5", digest("imdb_word_index.json", "md5"))


def test_the_loaders_carry_keras_checksums_and_origin():
    assert [mnist.FILE_SHA256, boston_housing.FILE_SHA256, reuters.FILE_SHA256, imdb.NPZ_SHA256] == \
        [KERAS_SHA256[name] for name in ("mnist", "boston_housing", "reuters", "imdb")]
    assert reuters.WORD_INDEX_MD5 == "4d44cc38712099c9e383dc6e5f11a921"
    assert mnist.ORIGIN_FOLDER == "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def test_mnist_downloads_into_keras_cache(keras_home, fixture_hashes, monkeypatch):
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    expected = stored("mnist.npz")
    for name, array in {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}.items():
        assert array.dtype == np.uint8
        np.testing.assert_array_equal(array, expected[name])
    assert x_train.shape == (6, 28, 28) and y_test.shape == (4,)
    assert (keras_home / "mnist.npz").read_bytes() == (FIXTURES / "mnist.npz").read_bytes()
    monkeypatch.setattr(mnist, "ORIGIN_FOLDER", ORIGIN + "missing/")     # the cached copy is reused
    np.testing.assert_array_equal(mnist.load_data()[0][0], x_train)


def test_keras_hash_refuses_a_file_that_is_not_keras_s(keras_home):
    with pytest.raises(ChecksumError) as raised:
        mnist.load_data()
    message = str(raised.value)
    assert f"expected sha256 {KERAS_SHA256['mnist']}" in message and digest("mnist.npz") in message
    assert "mnist.npz" in message and isinstance(raised.value, ValueError)
    assert list(keras_home.iterdir()) == []


def test_a_corrupt_cached_file_is_downloaded_again(keras_home, fixture_hashes):
    keras_home.mkdir(parents=True)
    (keras_home / "mnist.npz").write_bytes((FIXTURES / "mnist.npz").read_bytes()[:-10])
    (x_train, _), _ = mnist.load_data()
    np.testing.assert_array_equal(x_train, stored("mnist.npz")["x_train"])


def test_nnkit_data_dir_takes_the_download_when_set(tmp_path, monkeypatch, fixture_hashes):
    monkeypatch.setenv("NNKIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(mnist, "ORIGIN_FOLDER", ORIGIN)
    mnist.load_data()
    assert (tmp_path / "data" / "mnist" / "mnist.npz").is_file()


def test_path_is_a_cache_name_or_a_local_file(keras_home, fixture_hashes, tmp_path):
    mnist.load_data(path="my_mnist.npz")
    assert (keras_home / "my_mnist.npz").is_file()
    (x_train, _), _ = mnist.load_data(path=FIXTURES / "mnist.npz")
    assert x_train.shape == (6, 28, 28)
    with pytest.raises(nnkit.datasets.DatasetError, match="does not exist"):
        mnist.load_data(path=str(tmp_path / "absent" / "mnist.npz"))


def test_fashion_mnist_reads_keras_idx_files(keras_home):
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    expected = stored("mnist.npz")              # the script writes the same arrays in both formats
    np.testing.assert_array_equal(x_train, expected["x_train"])
    np.testing.assert_array_equal(y_test, expected["y_test"])
    assert x_test.dtype == np.uint8 and y_train.shape == (6,)
    assert sorted(path.name for path in (keras_home / "fashion-mnist").iterdir()) == sorted(fashion_mnist.FILES.values())


def test_fashion_mnist_refuses_a_file_with_another_header(keras_home, tmp_path, monkeypatch):
    served = tmp_path / "served"
    served.mkdir()
    for name in fashion_mnist.FILES.values():
        (served / name).write_bytes((FIXTURES / name).read_bytes())
    (served / "t10k-labels-idx1-ubyte.gz").write_bytes((FIXTURES / "t10k-images-idx3-ubyte.gz").read_bytes())
    monkeypatch.setattr(fashion_mnist, "ORIGIN_FOLDER", served.as_uri() + "/")
    with pytest.raises(nnkit.datasets.DatasetError, match="t10k-labels-idx1-ubyte.gz is not a valid .* magic 2049"):
        fashion_mnist.load_data()


@pytest.mark.parametrize("test_split, seed", [(0.2, 113), (0.5, 3), (0.0, 113)])
def test_boston_housing_shuffles_and_splits_as_keras(keras_home, fixture_hashes, test_split, seed):
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data(test_split=test_split, seed=seed)
    raw = stored("boston_housing.npz")
    order = list(range(10))
    np.random.RandomState(seed).shuffle(order)
    cut = int(10 * (1 - test_split))
    np.testing.assert_array_equal(x_train, raw["x"][order[:cut]])
    np.testing.assert_array_equal(y_test, raw["y"][order[cut:]])
    assert x_train.dtype == np.float64 and x_train.shape == (cut, 13) and y_train.shape == (cut,)
    assert x_test.shape == (10 - cut, 13)


def test_boston_housing_bad_split(keras_home, fixture_hashes):
    with pytest.raises(InvalidArgumentError, match=r"test_split must be a number in \[0, 1\), received 1"):
        boston_housing.load_data(test_split=1)


def keras_reuters(xs, labels, num_words=None, skip_top=0, maxlen=None, test_split=0.2, seed=113, start_char=1,
                  oov_char=2, index_from=3):
    """Keras's reuters.load_data procedure, written plainly with Python lists."""
    order = list(range(len(xs)))
    np.random.RandomState(seed).shuffle(order)
    xs, labels = [list(xs[i]) for i in order], [int(labels[i]) for i in order]
    xs = [([start_char] if start_char is not None else []) + [w + index_from for w in x] for x in xs]
    if maxlen:
        kept = [i for i, x in enumerate(xs) if len(x) < maxlen]
        xs, labels = [xs[i] for i in kept], [labels[i] for i in kept]
    num_words = num_words or max(max(x) for x in xs)
    if oov_char is not None:
        xs = [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    else:
        xs = [[w for w in x if skip_top <= w < num_words] for x in xs]
    cut = int(len(xs) * (1 - test_split))
    return (xs[:cut], labels[:cut]), (xs[cut:], labels[cut:])


@pytest.mark.parametrize("options", [
    {}, {"num_words": 12}, {"skip_top": 6, "num_words": 25}, {"maxlen": 6}, {"oov_char": None, "num_words": 15},
    {"start_char": None, "index_from": 0}, {"seed": 5, "test_split": 0.3},
])
def test_reuters_matches_keras_procedure(keras_home, fixture_hashes, options):
    (x_train, y_train), (x_test, y_test) = reuters.load_data(**options)
    raw = stored("reuters.npz")
    expected = keras_reuters(raw["x"], raw["y"], **options)
    assert [x_train.tolist(), y_train.tolist()] == [expected[0][0], expected[0][1]]
    assert [x_test.tolist(), y_test.tolist()] == [expected[1][0], expected[1][1]]
    assert x_train.dtype == object and y_train.dtype == np.int64


def test_reuters_word_index_decodes_the_shifted_ids(keras_home, fixture_hashes):
    word_index = reuters.get_word_index()
    assert word_index == json.loads((FIXTURES / "reuters_word_index.json").read_text())
    (x_train, _), _ = reuters.load_data(num_words=1000, index_from=3, start_char=1)
    rank_to_word = {rank: word for word, rank in word_index.items()}
    order = list(range(10))
    np.random.RandomState(113).shuffle(order)
    decoded = [rank_to_word[i - 3] for i in x_train[0][1:]]
    assert x_train[0][0] == 1 and decoded == [rank_to_word[r] for r in stored("reuters.npz")["x"][order[0]]]
    assert len(reuters.get_label_names()) == 46 and reuters.get_label_names()[3] == "earn"


def test_reuters_arguments_are_checked(keras_home, fixture_hashes):
    with pytest.raises(InvalidArgumentError, match="reuters.load_data: num_words must be an int >= 1 or None"):
        reuters.load_data(num_words=0)
    with pytest.raises(InvalidArgumentError, match=r"test_split must be a number in \[0, 1\]"):
        reuters.load_data(test_split=1.5)
    with pytest.raises(InvalidArgumentError, match="maxlen=1 removes every sequence"):
        reuters.load_data(maxlen=1)


def test_imdb_downloads_keras_file_and_shifts_ids(keras_home, fixture_hashes):
    (x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=1000, index_from=3)
    assert (keras_home / "imdb.npz").is_file() and x_train.dtype == object and y_train.dtype == np.int64
    raw = stored("imdb.npz")
    generator = np.random.RandomState(113)
    orders = [list(range(5)), list(range(5))]
    for order in orders:                      # train, then test, shuffled by one generator
        generator.shuffle(order)
    assert x_train.tolist() == [[1] + [r + 3 for r in raw["x_train"][i]] for i in orders[0]]
    assert x_test.tolist() == [[1] + [r + 3 for r in raw["x_test"][i]] for i in orders[1]]
    assert y_test.tolist() == raw["y_test"][orders[1]].tolist()
    assert imdb.get_word_index() == json.loads((FIXTURES / "imdb_word_index.json").read_text())
    assert (keras_home / "imdb_word_index.json").is_file()


def test_datasets_are_listed_lazily():
    for name in ("mnist", "fashion_mnist", "reuters", "boston_housing", "imdb"):
        assert name in nnkit.datasets.__all__ and getattr(nnkit.datasets, name).load_data


def test_fixtures_are_what_the_script_writes(tmp_path):
    sys.path.insert(0, str(FIXTURES))
    try:
        import make_fixtures
    finally:
        sys.path.remove(str(FIXTURES))
    written = make_fixtures.fixtures()
    committed = {path.name for path in FIXTURES.iterdir() if path.suffix in (".npz", ".gz", ".json")}
    assert set(written) == committed
    for name, data in written.items():
        assert (FIXTURES / name).read_bytes() == data, name
        assert len(data) < 4096
