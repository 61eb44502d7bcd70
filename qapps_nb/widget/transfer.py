"""Kernel side of the widget's chunk protocol: reassemble, hash and spool one browser file.

The browser sends a file as ``chunk`` messages of at most 8 MiB (the Jupyter server drops
websocket messages above 10 MiB by default). Chunks are hashed in order as they
arrive and written to a private temporary file, so a 5 GB file never sits in kernel memory.
Out-of-order chunks wait in a small bounded buffer; duplicates are ignored. Nothing here
knows about widgets or comms, which keeps it testable with plain calls.
"""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from ..errors import QAppsError
from ..sources import Payload

MAX_CHUNK = 8 * 1024 * 1024
"""Largest chunk accepted: below the server's 10 MiB websocket message limit."""
MAX_PENDING_BYTES = 64 * 1024 * 1024
"""Out-of-order bytes held in memory at most; the browser's window keeps far fewer."""


class TransferError(QAppsError):
    """The browser broke the chunk protocol (bad offset, oversize chunk, lost data)."""


class Spool:
    """Write bytes in order to a private temp file, hashing them as they pass."""

    def __init__(self, directory: str | None = None) -> None:
        fd, name = tempfile.mkstemp(prefix="qapps-nb-upload-", suffix=".part", dir=directory)
        self.path = Path(name)
        self._file = os.fdopen(fd, "wb")
        self._digest = hashlib.sha256()
        self.size = 0

    def write(self, data: Any) -> None:
        view = memoryview(data).cast("B")
        self._digest.update(view)
        self._file.write(view)
        self.size += view.nbytes

    def finish(self, name: str) -> Payload:
        """Close the file and hand it over as an owned Payload (deleted after the upload)."""
        self._file.close()
        sha = base64.b64encode(self._digest.digest()).decode("ascii")
        return Payload.from_path(self.path, name=name, sha256=sha, size=self.size, owned=True)

    def discard(self) -> None:
        if not self._file.closed:
            self._file.close()
        self.path.unlink(missing_ok=True)


class Transfer:
    """One file on its way from the browser: offsets, buffered chunks, spool.

    ``received`` counts the bytes hashed so far (always a contiguous prefix of the file).
    """

    def __init__(self, transfer_id: str, name: str, size: int, *,
                 directory: str | None = None,
                 max_pending_bytes: int = MAX_PENDING_BYTES) -> None:
        self.id = transfer_id
        self.name = name
        self.size = size
        self.received = 0
        self.started: float | None = None
        self.finished: float | None = None
        self.last_activity = time.monotonic()
        self._pending: dict[int, bytes] = {}
        self._pending_bytes = 0
        self._max_pending = max_pending_bytes
        self._directory = directory
        self._spool: Spool | None = None

    @property
    def complete(self) -> bool:
        return self.received == self.size

    @property
    def pending_bytes(self) -> int:
        return self._pending_bytes

    @property
    def spool_path(self) -> Path | None:
        return self._spool.path if self._spool else None

    def accept(self, offset: object, data: Any) -> bool:
        """Take one chunk; False for a duplicate. Raises TransferError on a protocol fault."""
        view = memoryview(data).cast("B")
        length = view.nbytes
        self.last_activity = time.monotonic()
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            raise TransferError(f"chunk offset {offset!r} is not a byte offset")
        if length == 0 or length > MAX_CHUNK:
            raise TransferError(f"chunk of {length:,} bytes; chunks must hold 1 to "
                                f"{MAX_CHUNK:,} bytes")
        if offset + length > self.size:
            raise TransferError(f"chunk at {offset:,} (+{length:,}) runs past the file's "
                                f"{self.size:,} bytes")
        if offset < self.received:
            if offset + length <= self.received:
                return False  # sent twice; already hashed
            raise TransferError(f"chunk at {offset:,} overlaps data already received")
        if offset in self._pending:
            return False
        if self.started is None:
            self.started = time.monotonic()
        if offset > self.received:
            if self._pending_bytes + length > self._max_pending:
                raise TransferError(
                    f"too many chunks out of order (waiting for byte {self.received:,})")
            self._pending[offset] = bytes(view)
            self._pending_bytes += length
            return True
        self._write(view)
        while self.received in self._pending:
            chunk = self._pending.pop(self.received)
            self._pending_bytes -= len(chunk)
            self._write(chunk)
        if self._pending and min(self._pending) < self.received:
            raise TransferError("chunks overlap: the browser sent inconsistent offsets")
        if self.complete:
            self.finished = time.monotonic()
        return True

    def _write(self, data: Any) -> None:
        if self._spool is None:
            self._spool = Spool(self._directory)
        self._spool.write(data)
        self.received += memoryview(data).nbytes

    def seconds(self) -> float | None:
        """Time from the first chunk to the last, for the throughput shown in the table."""
        if self.started is None or self.finished is None:
            return None
        return self.finished - self.started

    def finish(self) -> Payload:
        """The complete file as an owned Payload with its SHA-256 already known."""
        if not self.complete or self._spool is None:
            raise TransferError(f"{self.name}: only {self.received:,} of {self.size:,} bytes "
                                "arrived")
        payload = self._spool.finish(self.name)
        self._spool = None
        return payload

    def discard(self) -> None:
        """Drop buffered chunks and delete the spool (cancel or failure)."""
        self._pending.clear()
        self._pending_bytes = 0
        if self._spool is not None:
            self._spool.discard()
            self._spool = None
