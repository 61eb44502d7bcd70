"""SHA-256 of a file on disk at the speed of the hash, not of the hash plus the reads.

One thread reads the next block (``readinto`` into one of a few reused buffers) while the
caller's thread hashes the previous one; both release the GIL (hashlib does for large
buffers), so on two cores the copy from the page cache is hidden behind the hash.
Memory stays flat: ``DEPTH`` buffers of ``BLOCK`` bytes, whatever the file size.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import queue
import threading
from collections.abc import Callable

BLOCK = 4 * 1024 * 1024
"""Read size: large enough that per-call overhead vanishes, small enough to stay in cache."""
DEPTH = 3
"""Buffers in flight: one being hashed, one being filled, one spare."""
THREAD_MIN = 16 * 1024 * 1024
"""Below this, a reader thread costs more than it hides."""


def sha256_file(path: str | os.PathLike[str], size: int,
                progress: Callable[[int, int], None] | None = None,
                block: int = BLOCK) -> tuple[bytes, int]:
    """Digest and number of bytes read (the caller compares it with ``size``)."""
    if size < THREAD_MIN:
        return _sequential(path, size, progress, block)
    digest = hashlib.sha256()
    free: queue.SimpleQueue[bytearray | None] = queue.SimpleQueue()
    full: queue.SimpleQueue[tuple[bytearray, int] | BaseException] = queue.SimpleQueue()
    for _ in range(DEPTH):
        free.put(bytearray(block))

    def reader() -> None:
        try:
            with open(path, "rb", buffering=0) as fh:
                _advise_sequential(fh.fileno())
                while (buffer := free.get()) is not None:
                    n = fh.readinto(buffer)
                    full.put((buffer, n))
                    if not n:
                        return
        except BaseException as exc:  # handed to the hashing thread, which raises it
            full.put(exc)

    thread = threading.Thread(target=reader, name="qapps-read", daemon=True)
    thread.start()
    done = 0
    try:
        while True:
            item = full.get()
            if isinstance(item, BaseException):
                raise item
            buffer, n = item
            if not n:
                break
            digest.update(memoryview(buffer)[:n])
            done += n
            free.put(buffer)
            if progress:
                progress(done, size)
    finally:
        free.put(None)  # stops the reader wherever it is (it never waits on anything else)
        thread.join()
    return digest.digest(), done


def _sequential(path: str | os.PathLike[str], size: int,
                progress: Callable[[int, int], None] | None, block: int) -> tuple[bytes, int]:
    digest = hashlib.sha256()
    buffer = bytearray(min(block, max(size, 1)))
    view = memoryview(buffer)
    done = 0
    with open(path, "rb", buffering=0) as fh:
        while n := fh.readinto(buffer):
            digest.update(view[:n])
            done += n
            if progress:
                progress(done, size)
    return digest.digest(), done


def _advise_sequential(fd: int) -> None:
    """Ask for aggressive readahead; helps when the file is not in the page cache yet."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is not None:
        with contextlib.suppress(OSError):
            advise(fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)
