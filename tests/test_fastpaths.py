"""The performance paths keep the plain paths' results: threaded hashing and sendfile bodies."""

from __future__ import annotations

import hashlib
import io
import os
import socket
import threading
from pathlib import Path

import pytest

from qapps_nb import filehash
from qapps_nb.sendfile import FileRegion, SendfileAdapter, _HTTPPool, _HTTPSPool
from qapps_nb.transport import http_session


def _write(path: Path, size: int) -> bytes:
    data = (os.urandom(4096) * (size // 4096 + 1))[:size]
    path.write_bytes(data)
    return data


@pytest.mark.parametrize("size", [0, 1, 4 * 1024 * 1024 + 7, filehash.THREAD_MIN + 5])
def test_sha256_file_matches_hashlib_and_reports_progress(tmp_path: Path, size: int) -> None:
    data = _write(tmp_path / "f.bin", size)
    seen: list[int] = []
    digest, done = filehash.sha256_file(tmp_path / "f.bin", size,
                                        lambda d, t: seen.append(d), block=1024 * 1024)
    assert digest == hashlib.sha256(data).digest()
    assert done == size
    assert seen == sorted(seen)
    assert (seen[-1] if seen else 0) == size


def test_reader_errors_reach_the_caller(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        filehash.sha256_file(tmp_path / "missing.bin", filehash.THREAD_MIN)


def test_a_failing_progress_callback_stops_the_reader(tmp_path: Path) -> None:
    _write(tmp_path / "f.bin", filehash.THREAD_MIN + 1)

    def progress(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        filehash.sha256_file(tmp_path / "f.bin", filehash.THREAD_MIN + 1, progress,
                             block=1024 * 1024)
    assert not [t for t in threading.enumerate() if t.name == "qapps-read"]


def test_file_region_over_a_plain_socket_uses_the_exact_range(tmp_path: Path) -> None:
    data = _write(tmp_path / "f.bin", 3 * 1024 * 1024)
    left, right = socket.socketpair()
    received = bytearray()

    def drain() -> None:
        while chunk := right.recv(1 << 20):
            received.extend(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    with open(tmp_path / "f.bin", "rb") as fh:
        region = FileRegion(fh, 1000, 2 * 1024 * 1024)
        left.settimeout(10)
        region.send_over(left)
    left.close()
    reader.join(10)
    right.close()
    assert region.sent == region.count
    assert bytes(received) == data[1000:1000 + 2 * 1024 * 1024]


class _TlsLike:
    """Anything that is not a plain socket (an SSL socket, a TLS-in-TLS transport)."""

    def __init__(self) -> None:
        self.out = io.BytesIO()

    def sendall(self, data: memoryview) -> None:
        self.out.write(data)


def test_file_region_copies_when_the_kernel_cannot_send(tmp_path: Path) -> None:
    data = _write(tmp_path / "f.bin", 9 * 1024 * 1024 + 3)
    sink = _TlsLike()
    with open(tmp_path / "f.bin", "rb") as fh:
        region = FileRegion(fh, 5, len(data) - 5)
        region.send_over(sink)  # type: ignore[arg-type]
    assert sink.out.getvalue() == data[5:]
    assert region.sent == region.count


def test_file_region_reads_for_connections_that_do_not_know_it(tmp_path: Path) -> None:
    data = _write(tmp_path / "f.bin", 10_000)
    with open(tmp_path / "f.bin", "rb") as fh:
        region = FileRegion(fh, 100, 5000)
        pieces = iter(lambda: region.read(4096), b"")
        assert b"".join(pieces) == data[100:5100]
    assert region.sent == 5000


def test_a_shrunken_file_sends_less_and_says_so(tmp_path: Path) -> None:
    _write(tmp_path / "f.bin", 1000)
    left, right = socket.socketpair()
    with open(tmp_path / "f.bin", "rb") as fh:
        region = FileRegion(fh, 0, 5000)
        left.settimeout(5)
        region.send_over(left)
    left.close()
    right.close()
    assert region.sent == 1000 < region.count


def test_the_upload_session_uses_the_sendfile_pools() -> None:
    adapter = http_session().get_adapter("http://127.0.0.1/")
    assert isinstance(adapter, SendfileAdapter)
    pools = adapter.poolmanager.pool_classes_by_scheme
    assert pools["http"] is _HTTPPool
    assert pools["https"] is _HTTPSPool
    proxied = adapter.proxy_manager_for("http://127.0.0.1:9")
    assert proxied.pool_classes_by_scheme["https"] is _HTTPSPool
