"""Amazon multi-domain loader: LXMLS vocabulary and split, positive = 1, sparse == dense."""
import os
import sys
from pathlib import Path

import numpy as np
import pytest

from nnkit.datasets import amazon_reviews
from nnkit.datasets.download import DatasetError
from nnkit.errors import InvalidArgumentError

REPO = Path(__file__).resolve().parents[1]
FEATURE_COUNTS = {"books": 13989, "dvd": 13477, "electronics": 9098, "kitchen": 7891}


def write_domain(folder, positive, negative):
    folder.mkdir(parents=True)
    for kind, lines in (("positive", positive), ("negative", negative)):
        (folder / f"{kind}.review").write_text("".join(f"{line} #label#:{kind}\n" for line in lines))
    return folder


@pytest.fixture
def tiny_domain(tmp_path):
    """Five positive and five negative hand-made reviews in ``<tmp>/processed_acl/dvd``."""
    positive = ["good:2 plot:1", "good:1 fun:3", "plot:1 rare_one:1", "fun:1 good:1", "great:4"]
    negative = ["bad:2 plot:1", "boring:3 bad:1", "plot:2", "bad:1 good:1", "awful:1 boring:1"]
    return write_domain(tmp_path / "processed_acl" / "dvd", positive, negative)


def test_vocabulary_split_and_labels_on_hand_made_domain(tiny_domain):
    (x_train, y_train), (x_test, y_test), names = amazon_reviews.load_data("dvd", path=tiny_domain.parent,
                                                                           min_count=3, sparse=False)
    # totals: good 5, plot 5, fun 4, rare_one 1, great 4, bad 4, boring 4, awful 1 -> kept in first-seen order
    assert names == ["good", "plot", "fun", "great", "bad", "boring"]
    assert x_train.shape == (8, 6) and x_test.shape == (2, 6) and x_train.dtype == np.float32
    np.testing.assert_array_equal(x_train[:4], [[2, 1, 0, 0, 0, 0], [0, 1, 0, 0, 2, 0],
                                                [1, 0, 3, 0, 0, 0], [0, 0, 0, 0, 1, 3]])
    np.testing.assert_array_equal(x_test, [[0, 0, 0, 4, 0, 0], [0, 0, 0, 0, 0, 1]])
    assert y_train.tolist() == [1, 0] * 4 and y_test.tolist() == [1, 0] and y_train.dtype == np.int64


def test_dense_path_needs_no_scipy(tiny_domain, monkeypatch):
    monkeypatch.setitem(sys.modules, "scipy", None)
    monkeypatch.setitem(sys.modules, "scipy.sparse", None)
    (x_train, _), _, _ = amazon_reviews.load_data("dvd", path=tiny_domain, sparse=False)
    assert isinstance(x_train, np.ndarray)
    with pytest.raises(ImportError):
        amazon_reviews.load_data("dvd", path=tiny_domain, sparse=True)


def test_malformed_and_unbalanced_files_are_rejected(tmp_path):
    wrong_label = write_domain(tmp_path / "a", ["good:1"], ["bad:1"])
    (wrong_label / "negative.review").write_text("bad:1 #label#:positive\n")
    with pytest.raises(DatasetError, match=r"negative.review, line 1: expected final item '#label#:negative'"):
        amazon_reviews.load_data("books", path=wrong_label)
    bad_item = write_domain(tmp_path / "b", ["good=1"], ["bad:1"])
    with pytest.raises(DatasetError, match="positive.review, line 1: expected 'feature:count' items"):
        amazon_reviews.load_data("books", path=bad_item)
    unbalanced = write_domain(tmp_path / "c", ["good:1", "fine:1"], ["bad:1"])
    with pytest.raises(DatasetError, match="as many positive as negative reviews, received 2 and 1"):
        amazon_reviews.load_data("books", path=unbalanced)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"domain": "toys"}, InvalidArgumentError, r"domain must be one of \['books', 'dvd', 'electronics', 'kitchen'\], "
                                               r"received 'toys'"),
    ({"min_count": 0}, InvalidArgumentError, "min_count must be an int >= 1, received 0"),
    ({"path": "/nonexistent/amazon"}, DatasetError, "path='/nonexistent/amazon' holds neither"),
])
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=f"amazon_reviews.load_data: {message}"):
        amazon_reviews.load_data(**kwargs)


# ---- real data -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def processed_acl():
    root = Path(os.environ.get("NNKIT_DATA_DIR") or REPO.parent / "shared" / "data")
    folder = root / "amazon_multidomain" / "processed_acl"
    if not (folder / "books" / "positive.review").is_file():
        pytest.skip(f"real Amazon files not found in {folder} (set NNKIT_DATA_DIR to the shared data folder)")
    return folder


@pytest.mark.parametrize("domain", sorted(FEATURE_COUNTS))
def test_real_domain_shapes_and_labels(processed_acl, domain):
    (x_train, y_train), (x_test, y_test), names = amazon_reviews.load_data(domain, path=processed_acl)
    assert len(names) == len(set(names)) == FEATURE_COUNTS[domain]
    assert x_train.shape == (1600, FEATURE_COUNTS[domain]) and x_test.shape == (400, FEATURE_COUNTS[domain])
    assert x_train.dtype == np.float32 and type(x_train).__name__ == "csr_matrix"
    assert y_train.tolist() == [1, 0] * 800 and y_test.tolist() == [1, 0] * 200
    assert (np.asarray(x_train.sum(axis=0) + x_test.sum(axis=0)) >= 5).all()


def test_real_books_rows_follow_files_and_sparse_equals_dense(processed_acl):
    (x_train, _), (x_test, _), names = amazon_reviews.load_data("books", path=processed_acl / "books")
    (dense_train, _), (dense_test, _), dense_names = amazon_reviews.load_data("books", path=processed_acl,
                                                                              sparse=False)
    assert names == dense_names
    np.testing.assert_array_equal(x_train.toarray(), dense_train)
    np.testing.assert_array_equal(x_test.toarray(), dense_test)
    column = {name: index for index, name in enumerate(names)}
    positive = (processed_acl / "books" / "positive.review").read_text().splitlines()
    negative = (processed_acl / "books" / "negative.review").read_text().splitlines()
    for row, line in ((dense_train[0], positive[0]), (dense_train[1], negative[0]), (dense_test[0], positive[800]),
                      (dense_test[399], negative[999])):
        expected = np.zeros(len(names), dtype=np.float32)
        for item in line.split()[:-1]:
            feature, count = item.rsplit(":", 1)
            if feature in column:
                expected[column[feature]] += int(count)
        np.testing.assert_array_equal(row, expected)
    first_review_features = [item.rsplit(":", 1)[0] for item in positive[0].split()[:-1]]
    first_kept = [feature for feature in first_review_features if feature in column]
    assert names[:len(first_kept)] == first_kept
