"""Downloads with a fake fetch: checksums enforced, atomic writes, nothing left on failure."""

import gzip
import io
import os
import re
import tarfile

import numpy as np
import pytest

import minicnn as mc
from minicnn.data import download, paths
from minicnn.data.download import download_file, sha256_hex
from minicnn.data.idx import encode_idx


class FakeServer:
    """Serves {url: bytes}; records every request; anything else is a network error."""

    def __init__(self, files):
        self.files = files
        self.requests = []

    def __call__(self, url, timeout):
        self.requests.append((url, timeout))
        if url not in self.files:
            raise OSError(f"no route to {url}")
        return self.files[url]


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("MINICNN_DATA", raising=False)
    monkeypatch.setattr(paths, "SYSTEM_DIRS", ())
    monkeypatch.setattr(download, "fetch", FakeServer({}))


def serve(monkeypatch, files) -> FakeServer:
    server = FakeServer(files)
    monkeypatch.setattr(download, "fetch", server)
    return server


def test_success_writes_file_atomically_with_short_timeout(tmp_path, monkeypatch):
    data = b"hello idx"
    server = serve(monkeypatch, {"https://b.example/f.gz": data})
    dest = tmp_path / "new" / "dir"
    path = download_file(
        "f.gz", ["https://a.example/", "https://b.example/"], sha256_hex(data), dest
    )
    assert path == dest / "f.gz" and path.read_bytes() == data
    assert os.listdir(dest) == ["f.gz"], "no temporary file may be left behind"
    assert [url for url, _ in server.requests] == [
        "https://a.example/f.gz",
        "https://b.example/f.gz",
    ]
    assert all(0 < timeout <= 10 for _, timeout in server.requests)


def test_checksum_mismatch_is_rejected_and_nothing_written(tmp_path, monkeypatch):
    serve(monkeypatch, {"https://a.example/f.gz": b"tampered"})
    with pytest.raises(mc.data.DownloadError) as info:
        download_file("f.gz", ["https://a.example/"], sha256_hex(b"original"), tmp_path / "d")
    assert "SHA-256 mismatch" in str(info.value) and sha256_hex(b"tampered") in str(info.value)
    assert not (tmp_path / "d").exists()


def test_unwritable_destination_is_a_download_error(tmp_path, monkeypatch):
    serve(monkeypatch, {"https://a.example/f.gz": b"x"})
    (tmp_path / "file").write_bytes(b"")  # a file where the directory should be
    with pytest.raises(mc.data.DownloadError, match="could not be written"):
        download_file("f.gz", ["https://a.example/"], sha256_hex(b"x"), tmp_path / "file" / "d")


def test_all_known_checksums_are_sha256_hex():
    sums = [
        *mc.data.MNIST.sha256.values(),
        *mc.data.FashionMNIST.sha256.values(),
        mc.data.CIFAR10.archive_sha256,
    ]
    assert len(set(sums)) == 9
    assert all(re.fullmatch(r"[0-9a-f]{64}", s) for s in sums)


def mnist_files(n: int) -> dict[str, bytes]:
    """The four .gz files of a tiny MNIST, by name."""
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (n, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, n, dtype=np.uint8),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (2, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, 2, dtype=np.uint8),
    }
    return {name: gzip.compress(encode_idx(a)) for name, a in arrays.items()}


@pytest.mark.parametrize("use_root", [True, False])
def test_mnist_downloads_into_root_or_cache(tmp_path, monkeypatch, use_root):
    files = mnist_files(5)
    monkeypatch.setattr(mc.data.MNIST, "sha256", {k: sha256_hex(v) for k, v in files.items()})
    mirror = mc.data.MNIST.mirrors[1]  # the first mirror is "down"
    serve(monkeypatch, {mirror + name: data for name, data in files.items()})
    root = tmp_path / "root" if use_root else None
    ds = mc.data.MNIST(root=root, download=True)
    assert len(ds) == 5
    dest = (tmp_path / "root" if use_root else tmp_path / "home" / ".cache" / "minicnn") / "mnist"
    assert sorted(os.listdir(dest)) == ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]
    # Found on disk the second time: no request at all.
    server = serve(monkeypatch, {})
    assert len(mc.data.MNIST(root=root, download=True)) == 5
    assert server.requests == []


def test_mnist_fetches_only_the_missing_file(tmp_path, monkeypatch):
    files = mnist_files(5)
    monkeypatch.setattr(mc.data.MNIST, "sha256", {k: sha256_hex(v) for k, v in files.items()})
    present = "t10k-images-idx3-ubyte.gz"
    (tmp_path / "mnist").mkdir()
    (tmp_path / "mnist" / present).write_bytes(files[present])
    mirror = mc.data.MNIST.mirrors[0]
    server = serve(monkeypatch, {mirror + name: data for name, data in files.items()})
    assert len(mc.data.MNIST(root=tmp_path, split="test", download=True)) == 2
    assert [url for url, _ in server.requests] == [mirror + "t10k-labels-idx1-ubyte.gz"]


def test_mnist_corrupted_download_leaves_nothing(tmp_path, monkeypatch):
    files = mnist_files(5)  # real MNIST checksums: these fake files cannot match
    serve(
        monkeypatch, {m + name: data for m in mc.data.MNIST.mirrors for name, data in files.items()}
    )
    with pytest.raises(mc.data.DatasetNotFoundError) as info:
        mc.data.MNIST(root=tmp_path, download=True)
    assert str(info.value).count("SHA-256 mismatch") == 2  # both mirrors tried
    assert list(tmp_path.iterdir()) == [], "nothing, not even a directory, may be created"


def test_cifar10_download_unpacks_binary_batches_and_removes_archive(tmp_path, monkeypatch):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for i, name in enumerate([f"data_batch_{k}.bin" for k in range(1, 6)] + ["test_batch.bin"]):
            record = bytes([i]) + bytes(3072)
            info = tarfile.TarInfo(f"cifar-10-batches-bin/{name}")
            info.size = len(record)
            tar.addfile(info, io.BytesIO(record))
    archive = buffer.getvalue()
    monkeypatch.setattr(mc.data.CIFAR10, "archive_sha256", sha256_hex(archive))
    serve(monkeypatch, {mc.data.CIFAR10.mirrors[0] + "cifar-10-binary.tar.gz": archive})
    train = mc.data.CIFAR10(root=tmp_path, download=True)
    np.testing.assert_array_equal(train.labels, [0, 1, 2, 3, 4])
    dest = tmp_path / "cifar-10-batches-bin"
    assert not (dest / "cifar-10-binary.tar.gz").exists()
    assert mc.data.CIFAR10(root=tmp_path, split="test", download=False).labels.tolist() == [5]


# -- a deadline that holds: a loopback server that drips -------------------------------------

REAL_FETCH = download.fetch  # before the autouse fixture swaps in the fake


class DrippingServer:
    """A loopback HTTP server that answers one byte every ``interval`` seconds, in the
    headers (``where='headers'``) or in the body after prompt headers, for at most
    ``total`` bytes; it records how many it sent before the client hung up."""

    def __init__(self, where: str, interval: float = 0.3, total: int = 100):
        import socket
        import threading

        self.where, self.interval, self.total = where, interval, total
        self.sent, self.client_hung_up = 0, False
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/"
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        import time

        conn, _ = self.listener.accept()
        with conn:
            request = b""
            while b"\r\n\r\n" not in request:
                request += conn.recv(1024)
            head = b"HTTP/1.0 200 OK\r\nContent-Length: 100000\r\n\r\n"
            try:
                if self.where == "body":
                    conn.sendall(head)
                    head = b""
                for byte in (head + b"x" * self.total)[: self.total]:
                    conn.sendall(bytes([byte]))
                    self.sent += 1
                    time.sleep(self.interval)
                conn.sendall(b"x")  # the client may close between bytes: see that too
            except OSError:
                self.client_hung_up = True

    def close(self):
        self.thread.join(timeout=60)
        self.listener.close()


@pytest.mark.parametrize("where", ["headers", "body"])
def test_the_deadline_holds_against_a_server_that_drips(tmp_path, monkeypatch, where):
    """One byte every 0.3 s keeps every read inside its 2 s timeout; the deadline of
    3 s must still end the download (before: it ran as long as the server liked)."""
    monkeypatch.setattr(download, "fetch", REAL_FETCH)
    server = DrippingServer(where)  # 100 bytes: 30 s if nobody stops it
    try:
        with pytest.raises(mc.data.DownloadError, match="too slow"):
            download_file("f.gz", [server.url], "0" * 64, tmp_path, timeout=2, deadline=3)
    finally:
        server.close()
    assert server.client_hung_up and server.sent < server.total
    assert list(tmp_path.iterdir()) == []  # nothing left behind
