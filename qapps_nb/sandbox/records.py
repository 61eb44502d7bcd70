"""The request log: what hit the sandbox, so tests can assert on retries and faults."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Literal

Service = Literal["qapps", "s3", "control"]


@dataclass(frozen=True)
class RequestRecord:
    """One request as the sandbox answered it.

    ``status`` is 0 when the sandbox reset the connection instead of answering.
    ``code`` is the error code sent (``ThrottlingException``, ``BadDigest``...) or None.
    """

    service: Service
    method: str
    path: str
    status: int
    code: str | None
    time: datetime
    request_id: str = ""
    fault: str | None = None
    """The injected fault kind this request consumed, if any."""
    operation: str | None = None
    """The Q Apps operation, as the service model names it ("GetQApp",
    "CreatePresignedUrl"...); None for S3, control and unknown paths."""
    duration: float = 0.0
    """Seconds from the request's first line to its answer (0 when not answered)."""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["time"] = self.time.isoformat()
        return data

    def log_line(self) -> str:
        """One line for a terminal: time, method, path, operation, status, code, fault."""
        parts = [self.time.strftime("%H:%M:%S"), self.method, self.path]
        if self.operation:
            parts.append(self.operation)
        parts.append(str(self.status) if self.status else "reset")
        if self.code:
            parts.append(self.code)
        if self.fault:
            parts.append(f"(fault {self.fault})")
        parts.append(f"{self.duration * 1000:.0f} ms")
        return " ".join(parts)


class RequestLog:
    """Thread-safe, bounded (a CLI sandbox may run for days) list of records."""

    def __init__(self, maxlen: int = 100_000) -> None:
        self._lock = threading.Lock()
        self._records: deque[RequestRecord] = deque(maxlen=maxlen)

    def append(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)

    def snapshot(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
