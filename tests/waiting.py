"""Waiting for a state another thread or process reaches: poll, never a fixed sleep."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(condition: Callable[[], object], timeout: float = 10.0,
               step: float = 0.02) -> bool:
    """True as soon as ``condition()`` holds, polled every ``step`` seconds; after
    ``timeout`` seconds, whether it holds then."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return bool(condition())
