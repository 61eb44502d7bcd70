"""Drive a widget's kernel side as the browser would, and keep what it sends back.

``comm.create_comm`` is the hook ipywidgets uses to open its channel; replacing it with a
:class:`RecordingComm` keeps every message the kernel would send to the front end (state
updates and custom messages, with their binary buffers) so tests can check what leaves it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from comm.base_comm import BaseComm


class RecordingComm(BaseComm):
    """A comm that keeps what it would publish instead of sending it to a front end."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.published: list[tuple[str, Any, list[Any]]] = []
        super().__init__(*args, **kwargs)

    def publish_msg(self, msg_type: str, data: Any = None, metadata: Any = None,
                    buffers: Any = None, **keys: Any) -> None:
        self.published.append((msg_type, data, list(buffers or [])))


def deliver(widget: Any, content: dict[str, Any], buffers: Iterable[Any] | None = None) -> None:
    """Hand a browser message to the widget exactly as ipykernel's comm layer does."""
    msg = {"content": {"comm_id": widget.comm.comm_id,
                       "data": {"method": "custom", "content": content}},
           "buffers": [memoryview(b) for b in (buffers or [])]}
    widget._handle_msg(msg)


def custom_messages(widget: Any) -> list[dict[str, Any]]:
    """The custom messages (acks, refusals ...) the kernel sent to the browser."""
    return [data["content"] for kind, data, _ in widget.comm.published
            if kind == "comm_msg" and data.get("method") == "custom"]


def file_entry(name: str, data: bytes) -> dict[str, Any]:
    """One file as ``ipywidgets.FileUpload`` holds it in ``.value``."""
    return {"name": name, "type": "application/octet-stream", "size": len(data),
            "content": memoryview(data), "last_modified": datetime.now(timezone.utc)}


def send_file(widget: Any, transfer: str, data: bytes, *, chunk: int = 1 << 20,
              order: list[int] | None = None, name: str = "data.bin") -> None:
    """Begin a transfer and send ``data`` in chunks (optionally in the given chunk order)."""
    deliver(widget, {"type": "begin", "transfer": transfer, "name": name, "size": len(data)})
    offsets = list(range(0, len(data), chunk))
    for seq in order if order is not None else range(len(offsets)):
        start = offsets[seq]
        deliver(widget, {"type": "chunk", "transfer": transfer, "seq": seq, "offset": start},
                [data[start:start + chunk]])
