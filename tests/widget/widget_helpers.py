"""Helpers for widget tests: the shared comm driver (tests/widget_comm.py), hashes, state,
waiting for the widget's threads."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from waiting import wait_until
from widget_comm import RecordingComm, custom_messages, deliver, file_entry, send_file

__all__ = ["RecordingComm", "b64sha", "custom_messages", "deliver", "file_entry", "listed",
           "send_file", "show", "state_text", "until"]


def b64sha(data: bytes) -> str:
    import base64

    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def state_text(widget: Any) -> str:
    """Everything the synced state would save, except the widget's own JS/CSS source."""
    state = {k: v for k, v in widget.get_state().items() if k not in ("_esm", "_css")}
    return json.dumps(state, default=repr)


def show(widget: Any) -> None:
    """What a front end does once its view rendered: say hello (listing apps starts then)."""
    deliver(widget, {"type": "hello"})


def until(check: Callable[[], bool], timeout: float = 30.0) -> None:
    """Wait for ``check()`` (a widget thread's doing), polled; fail after ``timeout`` s."""
    assert wait_until(check, timeout), f"timed out waiting ({timeout:g} s)"


def listed(widget: Any, timeout: float = 30.0) -> None:
    """Wait until the widget's listing of apps ended (ready or failed)."""
    until(lambda: widget.apps_status in ("ready", "failed"), timeout)
