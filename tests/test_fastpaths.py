"""The threaded file hash gives hashlib's digest, reports progress and never leaks its thread."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest

from qapps_nb import filehash


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
