"""Amazon multi-domain sentiment (Blitzer et al., 2007) as bag-of-n-gram counts, LXMLS split.

Reads Blitzer's ``processed_acl/<domain>/{positive,negative}.review`` files and builds the same
features and split as the LXMLS toolkit's ``SentimentCorpus``, except that **positive = 1**
(LXMLS uses positive = 0). See ``datasets/amazon_reviews.md`` for source, licence and checksums.
"""
import re
import tarfile
from pathlib import Path

import numpy as np

from nnkit.datasets.download import DatasetError, atomic_write, data_dir, get_file
from nnkit.errors import InvalidArgumentError

DOMAINS = ("books", "dvd", "electronics", "kitchen")
CACHE_SUBDIR = "amazon_multidomain"
ARCHIVE_URL = "https://www.cs.jhu.edu/~mdredze/datasets/sentiment/processed_acl.tar.gz"
REVIEW_FILES = {"positive": 1, "negative": 0}
TRAIN_FRACTION = 0.8
_COUNT_ITEM = re.compile(r"(.+):(\d+)")


def load_data(domain="books", path=None, min_count=5, sparse=True):
    """Load one domain as float32 n-gram count matrices with the LXMLS 1600 / 400 split.

    Vocabulary: features of ``positive.review`` then ``negative.review``, kept if their total
    count over both files is ``>= min_count``, numbered in first-seen order (books: 13,989,
    dvd: 13,477, electronics: 9,098, kitchen: 7,891 with ``min_count=5``). Rows alternate
    positive / negative (row 2i = i-th positive review); the first 80 % (1600) are training
    rows and the rest (400) test rows. Nothing is shuffled.

    Args:
        domain: one of ``"books"``, ``"dvd"``, ``"electronics"``, ``"kitchen"``.
        path: None (``$NNKIT_DATA_DIR/amazon_multidomain/processed_acl/<domain>/``, else download
            ``processed_acl.tar.gz`` there), a ``<domain>`` folder holding the two ``.review``
            files, or a ``processed_acl`` folder holding ``<domain>/``.
        min_count: smallest total count of a kept feature (int >= 1).
        sparse: return ``scipy.sparse.csr_matrix`` inputs (needs scipy) instead of dense arrays.

    Shapes:
        x_train ``(1600, F)``, x_test ``(400, F)``, y ``(N,)``.

    Returns:
        ``(x_train, y_train), (x_test, y_test), feature_names``: float32 count matrices, int64
        labels (1 = positive, 0 = negative), and the list of F feature names in column order.

    Example:
        >>> (x_train, y_train), (x_test, y_test), names = load_data("kitchen", sparse=False)
        >>> x_train.shape, len(names)
        ((1600, 7891), 7891)
    """
    if domain not in DOMAINS:
        raise InvalidArgumentError(f"amazon_reviews.load_data: domain must be one of {list(DOMAINS)}, "
                                   f"received {domain!r}")
    if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
        raise InvalidArgumentError(f"amazon_reviews.load_data: min_count must be an int >= 1, received {min_count!r}")
    folder = _domain_folder(domain, path)
    positive, negative = (_read_reviews(folder / f"{kind}.review", kind) for kind in REVIEW_FILES)
    if len(positive) != len(negative):
        raise DatasetError(f"{folder}: expected as many positive as negative reviews, "
                           f"received {len(positive)} and {len(negative)}")
    feature_names = _vocabulary(positive + negative, min_count)
    reviews = [review for pair in zip(positive, negative) for review in pair]
    labels = np.tile(np.array([REVIEW_FILES["positive"], REVIEW_FILES["negative"]], dtype=np.int64), len(positive))
    counts = _count_matrix(reviews, feature_names, sparse)
    n_train = int(TRAIN_FRACTION * len(reviews))
    return (counts[:n_train], labels[:n_train]), (counts[n_train:], labels[n_train:]), feature_names


def _domain_folder(domain, path):
    """Folder holding ``{positive,negative}.review`` for ``domain`` (downloading if needed)."""
    if path is not None:
        path = Path(path).expanduser()
        for folder in (path, path / domain):
            if _has_reviews(folder):
                return folder
        raise DatasetError(f"amazon_reviews.load_data: path={str(path)!r} holds neither "
                           f"{{positive,negative}}.review nor {domain}/ with them")
    folder = data_dir() / CACHE_SUBDIR / "processed_acl" / domain
    if not _has_reviews(folder):
        archive = get_file("processed_acl.tar.gz", ARCHIVE_URL, cache_subdir=CACHE_SUBDIR)
        _extract_domain(archive, domain, folder)
    return folder


def _has_reviews(folder):
    return all((folder / f"{kind}.review").is_file() for kind in REVIEW_FILES)


def _extract_domain(archive, domain, folder):
    """Copy ``processed_acl/<domain>/{positive,negative}.review`` out of the archive (no other member)."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for kind in REVIEW_FILES:
                source = tar.extractfile(f"processed_acl/{domain}/{kind}.review")
                with atomic_write(folder / f"{kind}.review") as stream:
                    stream.write(source.read())
    except (tarfile.TarError, KeyError, AttributeError, EOFError) as error:
        raise DatasetError(f"{archive} lacks a readable processed_acl/{domain}/ review pair: {error}") from error


def _read_reviews(file, kind):
    """Parse a ``.review`` file into a list of reviews, each a list of ``(feature, count)``."""
    reviews = []
    with open(file, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            *items, label = line.split() or [""]
            if label != f"#label#:{kind}":
                raise DatasetError(f"{file}, line {number}: expected final item '#label#:{kind}', received {label!r}")
            matches = [_COUNT_ITEM.fullmatch(item) for item in items]
            if not all(matches):
                raise DatasetError(f"{file}, line {number}: expected 'feature:count' items")
            reviews.append([(match[1], int(match[2])) for match in matches])
    if not reviews:
        raise DatasetError(f"{file} holds no reviews")
    return reviews


def _vocabulary(reviews, min_count):
    """Features whose total count is ``>= min_count``, in first-seen order."""
    totals = {}
    for review in reviews:
        for feature, count in review:
            totals[feature] = totals.get(feature, 0) + count
    return [feature for feature, total in totals.items() if total >= min_count]


def _count_matrix(reviews, feature_names, sparse):
    """``(len(reviews), F)`` float32 matrix of feature counts, dense or CSR."""
    column_of = {feature: column for column, feature in enumerate(feature_names)}
    rows, columns, counts = [], [], []
    for row, review in enumerate(reviews):
        for feature, count in review:
            column = column_of.get(feature)
            if column is not None:
                rows.append(row)
                columns.append(column)
                counts.append(count)
    shape = (len(reviews), len(feature_names))
    counts = np.array(counts, dtype=np.float32)
    if sparse:
        from scipy.sparse import csr_matrix

        return csr_matrix((counts, (rows, columns)), shape=shape, dtype=np.float32)
    dense = np.zeros(shape, dtype=np.float32)
    np.add.at(dense, (np.array(rows, dtype=np.int64), np.array(columns, dtype=np.int64)), counts)
    return dense
