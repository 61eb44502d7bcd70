"""Reading the sandbox's request log the way the run tests need it."""

from __future__ import annotations

import threading
from typing import Any

from waiting import wait_until

__all__ = ["count", "no_session_started", "ops", "run_threads", "wait_until"]

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


def run_threads() -> list[str]:
    """Live threads that belong to runs (workers, uploads)."""
    return [t.name for t in threading.enumerate() if t.name.startswith("qapps-run")]
