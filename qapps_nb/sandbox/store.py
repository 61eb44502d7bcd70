"""Objects on disk plus an index, with all-or-nothing writes.

An upload streams into a spool file under ``<storage>/tmp`` while it is hashed; only a
fully checked upload is renamed into ``<storage>/objects/<fileId>/<name>`` — S3 never
shows a partial object, so neither do we. ``index.json`` lets a reused storage
directory list its objects again after a restart: one JSON object per line, appended per
upload (a later line for the same key wins), so a commit costs the same with 10 or 10,000
objects stored.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import queue
import re
import shutil
import tempfile
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

_UNSAFE = re.compile(r"[^A-Za-z0-9._ ()+,=@-]")
_MAX_PENDING = 100_000
_QUEUE_CHUNKS = 16  # about 16 MiB in flight per upload at most


@dataclass(frozen=True)
class PendingUpload:
    """What createPresignedUrl promised: the ids to file the object under."""

    key: str
    file_id: str
    file_name: str
    scope: str
    app_id: str
    card_id: str
    session_id: str | None
    instance_id: str


@dataclass(frozen=True)
class StoredObject:
    """One stored upload. ``sha256`` is Base64 like ``x-amz-checksum-sha256``."""

    key: str
    file_id: str
    file_name: str
    size: int
    sha256: str
    etag: str
    path: Path
    scope: str
    app_id: str
    card_id: str
    session_id: str | None
    instance_id: str
    created: datetime

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["path"] = str(self.path)
        data["created"] = self.created.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StoredObject:
        return cls(**{**data, "path": Path(data["path"]),
                      "created": datetime.fromisoformat(data["created"])})


class Spool:
    """A temp file that hashes what it is given and stops keeping bytes past ``limit``.

    Hashing happens in the caller's thread, disk writes in a writer thread fed through a
    small bounded queue: the two overlap (page-cache writeback is often the slowest
    stage) while memory stays bounded to a few chunks.
    """

    def __init__(self, tmp_dir: Path, limit: int) -> None:
        fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-", suffix=".part")
        self.path = Path(name)
        self._fd = fd
        self._hash = hashlib.sha256()
        self.limit = limit
        self.size = 0  # every byte seen, also those past the limit
        self._queue: queue.Queue[memoryview | None] = queue.Queue(maxsize=_QUEUE_CHUNKS)
        self._error: OSError | None = None
        self._closed = False
        self._writer = threading.Thread(target=self._write_loop, name="sandbox-spool",
                                        daemon=True)
        self._writer.start()

    def write(self, data: bytes | memoryview) -> None:
        """Take bytes (immutable: the writer thread reads them later)."""
        n = len(data)
        if self.size + n <= self.limit:
            if self._error is not None:
                raise self._error
            self._queue.put(memoryview(data))
        self.size += n

    def _write_loop(self) -> None:
        while True:
            view = self._queue.get()
            if view is None:
                return
            if self._error is not None:
                continue  # keep consuming so the producer never blocks
            self._hash.update(view)
            try:
                while view:
                    view = view[os.write(self._fd, view):]
            except OSError as exc:
                self._error = exc

    @property
    def too_large(self) -> bool:
        return self.size > self.limit

    def close(self) -> None:
        """Finish writing; raises the writer's OSError (e.g. disk full) if there was one."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(None)
        self._writer.join()
        os.close(self._fd)
        if self._error is not None:
            raise self._error

    def digest_b64(self) -> str:
        return base64.b64encode(self._hash.digest()).decode()

    def digest_hex(self) -> str:
        return self._hash.hexdigest()

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.close()
        self.path.unlink(missing_ok=True)


def safe_name(file_name: str) -> str:
    """A file-system-safe version of a user's file name (never a path)."""
    name = _UNSAFE.sub("_", file_name).strip(" .") or "file"
    return name[:100]


class ObjectStore:
    """Index and files of stored objects; pending presigned uploads. Thread-safe."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp_dir = root / "tmp"
        self.objects_dir = root / "objects"
        self.index_path = root / "index.json"
        for d in (self.tmp_dir, self.objects_dir):
            d.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._objects: dict[str, StoredObject] = {}
        self._pending: OrderedDict[str, PendingUpload] = OrderedDict()
        self._load_index()

    # -- pending uploads (from createPresignedUrl) ---------------------------------------
    def expect(self, pending: PendingUpload) -> None:
        with self._lock:
            self._pending[pending.key] = pending
            while len(self._pending) > _MAX_PENDING:
                self._pending.popitem(last=False)

    def pending(self, key: str) -> PendingUpload | None:
        with self._lock:
            return self._pending.get(key)

    # -- objects --------------------------------------------------------------------------
    def spool(self, limit: int) -> Spool:
        return Spool(self.tmp_dir, limit)

    def commit(self, key: str, spool: Spool, created: datetime) -> StoredObject:
        """Move a checked spool into place and index it (replacing an older upload)."""
        spool.close()
        pending = self.pending(key) or _pending_from_key(key)
        folder = self.objects_dir / safe_name(pending.file_id)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / safe_name(pending.file_name)
        os.replace(spool.path, path)
        obj = StoredObject(
            key=key, file_id=pending.file_id, file_name=pending.file_name, size=spool.size,
            sha256=spool.digest_b64(), etag=f'"{spool.digest_hex()[:32]}"', path=path,
            scope=pending.scope, app_id=pending.app_id, card_id=pending.card_id,
            session_id=pending.session_id, instance_id=pending.instance_id, created=created)
        with self._lock:
            self._objects[key] = obj
            self._append_index(obj)
        return obj

    def list(self) -> list[StoredObject]:
        with self._lock:
            return sorted(self._objects.values(), key=lambda o: o.created)

    def find(self, key_or_file_id: str) -> StoredObject:
        with self._lock:
            obj = self._objects.get(key_or_file_id)
            if obj is None:
                matches = [o for o in self._objects.values() if o.file_id == key_or_file_id]
                obj = max(matches, key=lambda o: o.created) if matches else None
        if obj is None:
            raise KeyError(f"no stored object with key or fileId {key_or_file_id!r}")
        return obj

    def clear(self) -> None:
        """Forget and delete every object (spools of running uploads are left alone)."""
        with self._lock:
            self._objects.clear()
            self._pending.clear()
            shutil.rmtree(self.objects_dir, ignore_errors=True)
            self.objects_dir.mkdir(parents=True, exist_ok=True)
            self.index_path.write_text("", encoding="utf-8")  # no objects: an empty index

    # -- index ----------------------------------------------------------------------------

    def _append_index(self, obj: StoredObject) -> None:
        """One line per commit: rewriting the whole index each time made n uploads O(n²)."""
        with self.index_path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(obj.to_json()) + "\n")

    def _load_index(self) -> None:
        try:
            text = self.index_path.read_text(encoding="utf-8")
        except OSError:
            return
        data: list[Any] = []
        if text.lstrip().startswith("["):  # the older format: one JSON list
            with contextlib.suppress(ValueError):
                data = json.loads(text)
        else:
            for line in text.splitlines():  # a torn last line (crash) is skipped
                with contextlib.suppress(ValueError):
                    data.append(json.loads(line))
        for item in data if isinstance(data, list) else []:
            try:
                obj = StoredObject.from_json(item)
            except (TypeError, ValueError, KeyError):
                continue
            if obj.path.is_file():
                self._objects[obj.key] = obj


def _pending_from_key(key: str) -> PendingUpload:
    """Best-effort ids for a key the sandbox did not issue in this run."""
    parts = key.split("/")
    if len(parts) >= 4:
        instance, app, file_id, name = parts[0], parts[1], parts[2], "/".join(parts[3:])
    else:
        instance, app, file_id, name = "", "", key.replace("/", "_"), parts[-1]
    return PendingUpload(key=key, file_id=file_id, file_name=name, scope="APPLICATION",
                         app_id=app, card_id="", session_id=None, instance_id=instance)
