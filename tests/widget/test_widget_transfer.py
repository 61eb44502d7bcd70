"""transfer.Transfer: reassembly, hashing in order, duplicates, bounds, cleanup."""

from __future__ import annotations

import hashlib
import os
import random
from pathlib import Path

import pytest
from widget_helpers import b64sha

from qapps_nb.widget.transfer import MAX_CHUNK, Transfer, TransferError


def _chunks(data: bytes, size: int) -> list[tuple[int, bytes]]:
    return [(o, data[o:o + size]) for o in range(0, len(data), size)]


def _finish(t: Transfer, data: bytes) -> None:
    assert t.complete
    payload = t.finish()
    assert payload.owned
    assert payload.sha256 == b64sha(data)
    assert payload.size == len(data)
    assert payload.path is not None
    assert payload.path.read_bytes() == data
    payload.close()
    assert not payload.path.exists()


def test_in_order(tmp_path: Path) -> None:
    data = os.urandom(3 * 65536 + 17)
    t = Transfer("a", "a.bin", len(data), directory=str(tmp_path))
    for offset, chunk in _chunks(data, 65536):
        assert t.accept(offset, memoryview(chunk)) is True
    assert t.seconds() is not None
    _finish(t, data)


def test_out_of_order_is_buffered_then_hashed_in_order(tmp_path: Path) -> None:
    data = os.urandom(10 * 1000 + 3)
    pieces = _chunks(data, 1000)
    random.Random(7).shuffle(pieces)
    t = Transfer("b", "b.bin", len(data), directory=str(tmp_path))
    for offset, chunk in pieces:
        t.accept(offset, chunk)
        assert t.pending_bytes <= len(data)
    assert t.pending_bytes == 0
    _finish(t, data)


def test_duplicates_are_ignored(tmp_path: Path) -> None:
    data = os.urandom(4000)
    t = Transfer("c", "c.bin", len(data), directory=str(tmp_path))
    assert t.accept(0, data[:1000])
    assert t.accept(0, data[:1000]) is False           # already hashed
    assert t.accept(2000, data[2000:3000])
    assert t.accept(2000, data[2000:3000]) is False     # already buffered
    assert t.accept(1000, data[1000:2000])
    assert t.accept(3000, data[3000:])
    _finish(t, data)


@pytest.mark.parametrize(("offset", "length", "message"), [
    (-1, 10, "not a byte offset"),
    (995, 10, "runs past"),
    (0, 0, "chunks must hold"),
])
def test_bad_chunks_are_protocol_errors(tmp_path: Path, offset: int, length: int,
                                        message: str) -> None:
    t = Transfer("d", "d.bin", 1000, directory=str(tmp_path))
    with pytest.raises(TransferError, match=message):
        t.accept(offset, b"x" * length)


def test_oversize_chunk_refused(tmp_path: Path) -> None:
    t = Transfer("e", "e.bin", MAX_CHUNK * 2, directory=str(tmp_path))
    with pytest.raises(TransferError, match="chunks must hold"):
        t.accept(0, bytearray(MAX_CHUNK + 1))


def test_overlap_refused(tmp_path: Path) -> None:
    t = Transfer("f", "f.bin", 100, directory=str(tmp_path))
    t.accept(0, b"a" * 50)
    with pytest.raises(TransferError, match="overlaps"):
        t.accept(40, b"a" * 20)
    t.discard()


def test_out_of_order_buffer_is_bounded(tmp_path: Path) -> None:
    t = Transfer("g", "g.bin", 10_000, directory=str(tmp_path), max_pending_bytes=3000)
    t.accept(1000, b"x" * 1000)
    t.accept(2000, b"x" * 1000)
    t.accept(3000, b"x" * 1000)
    with pytest.raises(TransferError, match="out of order"):
        t.accept(4000, b"x" * 1000)
    t.discard()
    assert t.pending_bytes == 0


def test_discard_removes_the_spool(tmp_path: Path) -> None:
    t = Transfer("h", "h.bin", 3000, directory=str(tmp_path))
    t.accept(0, b"y" * 1000)
    assert t.spool_path is not None
    assert t.spool_path.exists()
    spool = t.spool_path
    t.discard()
    assert not spool.exists()
    assert list(tmp_path.iterdir()) == []


def test_incomplete_finish_refused(tmp_path: Path) -> None:
    t = Transfer("i", "i.bin", 3000, directory=str(tmp_path))
    t.accept(0, b"y" * 1000)
    with pytest.raises(TransferError, match="only 1,000 of 3,000"):
        t.finish()
    t.discard()


def test_spool_is_private(tmp_path: Path) -> None:
    t = Transfer("j", "j.bin", 10, directory=str(tmp_path))
    t.accept(0, b"0123456789")
    payload = t.finish()
    assert payload.path is not None
    assert payload.path.stat().st_mode & 0o077 == 0
    assert hashlib.sha256(payload.path.read_bytes()).hexdigest()
    payload.close()
