"""Reading the sandbox's request log the way the run tests need it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

SESSION_OPS = ("StartQAppSession", "UpdateQAppSession", "CreatePresignedUrl",
               "GetQAppSession", "StopQAppSession")


def ops(sb: Any) -> list[str]:
    """Q Apps operations the sandbox answered or refused, in order."""
    return [r.operation for r in sb.requests if r.operation]


def count(sb: Any, operation: str) -> int:
    return sum(1 for op in ops(sb) if op == operation)


def no_session_started(sb: Any) -> None:
    """Nothing that starts, feeds or uploads for a session reached the sandbox."""
    touched = [op for op in ops(sb) if op in SESSION_OPS]
    assert touched == [], f"session calls were made: {touched}"


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def run_threads() -> list[str]:
    """Live threads that belong to runs (workers, uploads)."""
    return [t.name for t in threading.enumerate() if t.name.startswith("qapps-run")]
