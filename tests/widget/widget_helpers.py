"""Helpers for widget tests: the shared comm driver (tests/widget_comm.py), hashes, state."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from widget_comm import RecordingComm, custom_messages, deliver, send_file

__all__ = ["RecordingComm", "b64sha", "custom_messages", "deliver", "send_file", "show",
           "state_text"]


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
