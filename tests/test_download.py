"""Downloads against a local HTTP server (never the internet): checksums, atomicity, clear errors."""
import functools
import hashlib
import http.server
import io
import socket
import subprocess
import sys
import tarfile
import threading
from pathlib import Path

import numpy as np
import pytest

from nnkit.datasets import amazon_reviews, imdb
from nnkit.datasets.download import DatasetError, atomic_write, find_or_download, get_file

PAYLOAD = b"nnkit test payload\n" * 1000


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path):
    """A local HTTP server on 127.0.0.1: yields (folder it serves, base URL)."""
    served = tmp_path / "served"
    served.mkdir()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(served)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield served, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("NNKIT_DATA_DIR", str(folder))
    return folder


def closed_port_url():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/missing.bin"


def test_get_file_downloads_and_verifies(server, cache):
    served, base = server
    (served / "payload.bin").write_bytes(PAYLOAD)
    file = get_file("payload.bin", f"{base}/payload.bin", sha256=hashlib.sha256(PAYLOAD).hexdigest(),
                    md5=hashlib.md5(PAYLOAD).hexdigest(), cache_subdir="demo")
    assert file == cache / "demo" / "payload.bin"
    assert file.read_bytes() == PAYLOAD
    assert [path.name for path in file.parent.iterdir()] == ["payload.bin"]
    (served / "payload.bin").unlink()
    assert get_file("payload.bin", f"{base}/payload.bin", cache_subdir="demo") == file


@pytest.mark.parametrize("checksum", ["sha256", "md5"])
def test_checksum_mismatch_leaves_nothing_in_cache(server, cache, checksum):
    served, base = server
    (served / "payload.bin").write_bytes(PAYLOAD)
    with pytest.raises(DatasetError, match=f"checksum mismatch for {base}/payload.bin: expected {checksum} 0+,"):
        get_file("payload.bin", f"{base}/payload.bin", cache_subdir="demo", **{checksum: "0" * 32})
    assert list((cache / "demo").iterdir()) == []


def test_unreachable_url_gives_clear_error(cache):
    url = closed_port_url()
    with pytest.raises(DatasetError, match="could not download") as raised:
        get_file("missing.bin", url, cache_subdir="demo")
    message = str(raised.value)
    assert url in message and "NNKIT_DATA_DIR" in message and "path=" in message and "demo/missing.bin" in message
    assert isinstance(raised.value, OSError)
    assert list((cache / "demo").iterdir()) == []


def test_http_error_gives_clear_error(server, cache):
    _, base = server
    with pytest.raises(DatasetError, match=f"could not download {base}/absent.bin"):
        get_file("absent.bin", f"{base}/absent.bin", cache_subdir="demo")


def test_atomic_write_keeps_old_file_when_block_fails(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_write(target) as stream:
            stream.write(b"half")
            raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert [path.name for path in tmp_path.iterdir()] == ["file.txt"]


def test_find_or_download_prefers_explicit_path_then_data_dir(tmp_path, cache):
    own = tmp_path / "own"
    (own / "sub").mkdir(parents=True)
    (own / "sub" / "b.txt").write_text("b")
    (cache / "sub").mkdir(parents=True)
    (cache / "sub" / "b.txt").write_text("cached")
    unreachable = closed_port_url()
    assert find_or_download(("a.txt", "b.txt"), "sub", unreachable, path=own) == own / "sub" / "b.txt"
    assert find_or_download(("a.txt",), "sub", unreachable, path=own / "sub" / "b.txt") == own / "sub" / "b.txt"
    assert find_or_download(("a.txt", "b.txt"), "sub", unreachable) == cache / "sub" / "b.txt"
    with pytest.raises(DatasetError, match="does not exist"):
        find_or_download(("a.txt",), "sub", unreachable, path=tmp_path / "nowhere")
    with pytest.raises(DatasetError, match=r"is a folder without any of \['a.txt'\]"):
        find_or_download(("a.txt",), "sub", unreachable, path=own)


def test_imdb_load_data_downloads_small_npz(server, cache, monkeypatch):
    served, base = server
    x = np.empty(2, dtype=object)
    x[0], x[1] = [5, 6], [7]
    buffer = io.BytesIO()
    np.savez(buffer, x_train=x, y_train=np.array([1, 0]), x_test=x, y_test=np.array([0, 1]))
    (served / "imdb.npz").write_bytes(buffer.getvalue())
    monkeypatch.setattr(imdb, "NPZ_URL", f"{base}/imdb.npz")
    monkeypatch.setattr(imdb, "NPZ_SHA256", "f" * 64)
    with pytest.raises(DatasetError, match="checksum mismatch"):
        imdb.load_data(seed=0, num_words=100)
    monkeypatch.setattr(imdb, "NPZ_SHA256", hashlib.sha256(buffer.getvalue()).hexdigest())
    (x_train, _), _ = imdb.load_data(seed=0, num_words=100)
    assert sorted(x_train.tolist()) == [[1, 8, 9], [1, 10]]
    assert (cache / "imdb" / "imdb.npz").is_file()


def test_amazon_load_data_downloads_and_extracts_archive(server, cache, monkeypatch):
    served, base = server
    with tarfile.open(served / "processed_acl.tar.gz", "w:gz") as archive:
        for kind, lines in (("positive", ["good:2 fine:1 #label#:positive"]), ("negative", ["bad:3 #label#:negative"])):
            data = "".join(line + "\n" for line in lines).encode()
            member = tarfile.TarInfo(f"processed_acl/kitchen/{kind}.review")
            member.size = len(data)
            archive.addfile(member, io.BytesIO(data))
    monkeypatch.setattr(amazon_reviews, "ARCHIVE_URL", f"{base}/processed_acl.tar.gz")
    (x_train, y_train), _, names = amazon_reviews.load_data("kitchen", min_count=1, sparse=False)
    assert names == ["good", "fine", "bad"]
    np.testing.assert_array_equal(x_train, [[2, 1, 0]])
    assert (cache / "amazon_multidomain" / "processed_acl" / "kitchen" / "negative.review").is_file()
    with pytest.raises(DatasetError, match="lacks a readable processed_acl/books/"):
        amazon_reviews.load_data("books")


def test_importing_nnkit_datasets_stays_cheap():
    probe = ("import sys, nnkit; before = set(sys.modules); import nnkit.datasets; "
             "from nnkit.datasets import imdb, amazon_reviews; "
             "print(sorted({m.split('.')[0] for m in set(sys.modules) - before} & {'scipy', 'h5py', 'tqdm'}))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parents[1])
    assert result.stdout.strip() == "[]"
