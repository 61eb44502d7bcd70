"""The results table's rows, shared by the comm handler and the upload threads.

Every file gets one row (a small dict of ids, sizes and status; never bytes or presigned
fields). Progress changes many times a second; the rows are published to the synced trait
at most every ``interval`` seconds, and at once when a row changes status, so the front
end gets coarse, ordered updates from whichever thread is working.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

STATUSES = ("waiting", "receiving", "uploading", "done", "failed", "cancelled")
"""waiting: announced, no byte yet; receiving: browser → kernel; uploading: kernel → S3."""
FINAL = frozenset({"done", "failed", "cancelled"})


class Rows:
    """Thread-safe row store that pushes snapshots through ``publish`` at a bounded rate."""

    def __init__(self, publish: Callable[[list[dict[str, Any]]], None],
                 interval: float = 0.1) -> None:
        self._publish = publish
        self._interval = interval
        self._rows: dict[str, dict[str, Any]] = {}
        self._lock = threading.RLock()
        self._last = 0.0
        self._dirty = False

    @property
    def lock(self) -> threading.RLock:
        return self._lock

    def add(self, row_id: str, file_name: str, size: int, **fields: Any) -> dict[str, Any]:
        row = {"id": row_id, "file_name": file_name, "size": size, "status": "waiting",
               "received": 0, "sent": 0, "phase": "", "file_id": "", "note": "",
               "attached": False, "error": "", "seconds": None, "sandbox": False}
        row.update(fields)
        with self._lock:
            self._rows[row_id] = row
            self._flush(force=True)
        return dict(row)

    def __contains__(self, row_id: object) -> bool:
        with self._lock:
            return row_id in self._rows

    def get(self, row_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._rows.get(row_id)
            return dict(row) if row is not None else None

    def active_ids(self) -> list[str]:
        with self._lock:
            return [k for k, r in self._rows.items() if r["status"] not in FINAL]

    def update(self, row_id: str, *, force: bool = False, **fields: Any) -> bool:
        """Change a row; a status change publishes at once. False once the row is final.

        A final row (done, failed, cancelled) is never changed again, so a late progress
        report cannot resurrect a cancelled upload.
        """
        with self._lock:
            row = self._rows.get(row_id)
            if row is None or row["status"] in FINAL:
                return False
            if "status" in fields and fields["status"] != row["status"]:
                force = True
            row.update(fields)
            self._dirty = True
            self._flush(force)
            return True

    def flush(self) -> None:
        with self._lock:
            if self._dirty:
                self._flush(force=True)

    def _flush(self, force: bool) -> None:
        now = time.monotonic()
        if not force and now - self._last < self._interval:
            return
        self._last = now
        self._dirty = False
        self._publish([dict(r) for r in self._rows.values()])
