"""Exactly the bytes to send: a :class:`Payload` (in memory or on disk) and its SHA-256.

:class:`Sha256Writer` is how data arrives piecewise (serializers, the widget's chunks):
it hashes as it is written and spills to a temporary file when large, so what is sent is
exactly what was hashed and memory stays flat.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from .errors import ValidationError
from .filehash import sha256_file

CHUNK_SIZE = 4 * 1024 * 1024
"""Read size for hashing and sending: with 1 MiB reads or more, hashlib and a streamed
requests body keep up with openssl and curl; small reads are what make Python slow."""
SPILL_SIZE = 8 * 1024 * 1024
"""Serialized data above this goes to a temporary file instead of staying in memory."""

Progress = Callable[[int, int], None]


def b64_sha256(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


class Payload:
    """Exactly the bytes to send, with their size, name and Base64 SHA-256.

    Either in memory (``data``) or in a file (``path``); ``owned`` files are temporary
    spools that :meth:`close` deletes. ``chunks()`` can be called again for every retry.
    """

    def __init__(self, *, name: str, size: int, sha256: str | None, label: str,
                 data: bytes | memoryview | None = None, path: Path | None = None,
                 owned: bool = False) -> None:
        self.name = name
        self.size = size
        self.sha256 = sha256
        self.label = label
        self.data = data
        self.path = path
        self.owned = owned

    @classmethod
    def from_path(cls, path: str | os.PathLike[str], *, name: str | None = None,
                  sha256: str | None = None, size: int | None = None,
                  owned: bool = False) -> Payload:
        """A file on disk; ``sha256`` when already known (a spool hashed as it was written)."""
        p = Path(path)
        return cls(name=name or p.name, size=p.stat().st_size if size is None else size,
                   sha256=sha256, label=str(p), path=p, owned=owned)

    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview, *, name: str = "data.bin",
                   label: str | None = None) -> Payload:
        view = memoryview(data).cast("B")
        return cls(name=name, size=view.nbytes, sha256=b64_sha256(hashlib.sha256(view).digest()),
                   label=label or name, data=view)

    def chunks(self, chunk_size: int = CHUNK_SIZE) -> Iterator[memoryview]:
        """Yield the bytes in order; each yielded view is valid until the next one."""
        if self.data is not None:
            view = memoryview(self.data)
            for start in range(0, len(view), chunk_size):
                yield view[start:start + chunk_size]
            return
        assert self.path is not None
        buffer = bytearray(chunk_size)
        view = memoryview(buffer)
        with open(self.path, "rb", buffering=0) as fh:
            while n := fh.readinto(buffer):
                yield view[:n]

    def ensure_hashed(self, progress: Progress | None = None) -> str:
        """Hash once (files are streamed); later calls return the stored digest."""
        if self.sha256 is None:
            if progress:
                progress(0, self.size)
            if self.data is not None:  # in memory: one call, no copy
                view = memoryview(self.data).cast("B")
                raw, done = hashlib.sha256(view).digest(), view.nbytes
                if progress:
                    progress(done, self.size)
            else:  # on disk: reads overlap the hash (filehash)
                assert self.path is not None
                raw, done = sha256_file(self.path, self.size, progress)
            if done != self.size:
                raise ValidationError(f"{self.label} changed size while it was read; try again")
            self.sha256 = b64_sha256(raw)
        return self.sha256

    def close(self) -> None:
        """Delete an owned spool; harmless to call twice."""
        if self.owned and self.path is not None:
            self.path.unlink(missing_ok=True)
            self.owned = False

    def __enter__(self) -> Payload:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Payload {self.name!r} {self.size} bytes from {self.label}>"


class Sha256Writer(io.RawIOBase):
    """A write-only binary stream that hashes as it goes and spills to disk when large.

    Serializers (pandas, polars, json) and the widget's chunk receiver write into it;
    :meth:`finish` hands back a :class:`Payload` of exactly what was written.
    """

    def __init__(self, name: str, *, label: str | None = None, spill_size: int = SPILL_SIZE,
                 directory: str | None = None) -> None:
        super().__init__()
        self.file_name = name
        self.label = label or name
        self._digest = hashlib.sha256()
        self._memory: io.BytesIO | None = io.BytesIO()
        self._file: BinaryIO | None = None
        self._path: Path | None = None
        self._spill = spill_size
        self._dir = directory
        self._size = 0

    def writable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._size

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        self._digest.update(view)
        self._size += view.nbytes
        if self._memory is not None:
            self._memory.write(view)
            if self._memory.tell() > self._spill:
                fd, name = tempfile.mkstemp(prefix="qapps-nb-", suffix=".spool", dir=self._dir)
                self._path = Path(name)
                self._file = os.fdopen(fd, "wb")
                self._file.write(self._memory.getbuffer())
                self._memory = None
        else:
            assert self._file is not None
            self._file.write(view)
        return view.nbytes

    def finish(self) -> Payload:
        sha = b64_sha256(self._digest.digest())
        if self._memory is not None:
            data = self._memory.getvalue()
            self._memory = None
            super().close()
            return Payload(name=self.file_name, size=len(data), sha256=sha, label=self.label,
                           data=data)
        assert self._file is not None
        assert self._path is not None
        self._file.close()
        super().close()
        return Payload(name=self.file_name, size=self._size, sha256=sha, label=self.label,
                       path=self._path, owned=True)

    def discard(self) -> None:
        """Drop everything written (a cancelled or failed transfer); no file is left behind."""
        self._memory = None
        if self._file is not None:
            self._file.close()
        if self._path is not None:
            self._path.unlink(missing_ok=True)
        super().close()
