"""The kernel end of the widget's chunk protocol: one comm, many files in flight.

Browser → kernel (custom comm messages):

- ``{"type": "begin", "transfer", "name", "size"}``: the kernel checks ids, name and
  size (``max_file_size``) and answers ``ready`` or ``refused`` before any byte moves.
- ``{"type": "chunk", "transfer", "seq", "offset"}`` + one binary buffer (≤ 8 MiB): the
  kernel answers ``ack`` with ``received`` (bytes hashed so far). The browser keeps at
  most ``window`` chunks unacknowledged; duplicates are acknowledged and ignored.
- ``{"type": "cancel", "transfer"?}``: stop one transfer, or everything in progress.
- ``{"type": "error", "transfer", "reason"}``: the browser could not read the file.

Kernel → browser: ``ready``, ``refused`` / ``abort`` (with a ``reason``), ``ack``. After the
last chunk the spool goes to the widget's upload thread. Runs on the kernel's shell thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .transfer import Transfer, TransferError

if TYPE_CHECKING:
    from .upload_widget import UploadWidget

log = logging.getLogger("qapps_nb.widget")
STALE_SECONDS = 600.0
"""A transfer without a chunk for this long was abandoned (page closed or reloaded)."""


class Receiver:
    """Reassembles the files one widget's browser sends; hands complete ones to uploads."""

    def __init__(self, widget: UploadWidget, spool_dir: str | None) -> None:
        self._widget = widget
        self._spool_dir = spool_dir
        self._transfers: dict[str, Transfer] = {}
        self._options: dict[str, dict[str, Any]] = {}
        self._received: dict[str, int] = {}  # finished: a late duplicate still gets an ack

    def on_message(self, _widget: Any, content: Any, buffers: Sequence[Any]) -> None:
        """ipywidgets' custom-message callback: ``(widget, content, buffers)``."""
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        tid = str(content.get("transfer") or "")
        try:
            if kind == "begin":
                self._begin(tid, content)
            elif kind == "chunk":
                self._chunk(tid, content, buffers)
            elif kind == "cancel":
                self._widget.cancel(tid or None)
            elif kind == "error":
                self.fail(tid, str(content.get("reason") or "the browser failed")[:300])
        except Exception:  # a bad message must never break the comm
            log.exception("qapps-nb widget: message %r failed", kind)

    def stop(self, tid: str, reason: str) -> bool:
        """Drop a transfer still receiving (spool deleted); True when there was one."""
        transfer = self._transfers.pop(tid, None)
        self._options.pop(tid, None)
        if transfer is None:
            return False
        transfer.discard()
        self._widget.send({"type": "abort", "transfer": tid, "reason": reason})
        return True

    def fail(self, tid: str, reason: str) -> None:
        self.stop(tid, reason)
        self._widget._end_row(tid, "failed", reason)

    def _send(self, kind: str, tid: str, **fields: Any) -> None:
        self._widget.send({"type": kind, "transfer": tid, **fields})

    def _begin(self, tid: str, content: dict[str, Any]) -> None:
        self._drop_stale()
        w = self._widget
        name, size = content.get("name"), content.get("size")
        if not tid or tid in w._rows:
            self._send("refused", tid, reason="duplicate transfer id")
            return
        label = name if isinstance(name, str) else "?"
        problem = w._problem(name, size)
        w._rows.add(tid, label, size if isinstance(size, int) else 0)
        if problem:
            w._end_row(tid, "failed", problem)
            self._send("refused", tid, reason=problem)
            return
        assert isinstance(size, int)  # _problem refuses anything else
        self._options[tid] = w._target()  # the ids as they were when Upload was clicked
        self._transfers[tid] = Transfer(tid, label, size, directory=self._spool_dir)
        self._send("ready", tid)

    def _chunk(self, tid: str, content: dict[str, Any], buffers: Sequence[Any]) -> None:
        seq = content.get("seq")
        transfer = self._transfers.get(tid)
        if transfer is None:
            if tid in self._received:
                self._send("ack", tid, seq=seq, received=self._received[tid])
            else:  # cancelled, failed or never begun: the browser must stop
                self._send("abort", tid, reason="not receiving")
            return
        try:
            if len(buffers) != 1:
                raise TransferError(f"a chunk needs exactly one buffer, got {len(buffers)}")
            transfer.accept(content.get("offset"), buffers[0])
        except TransferError as exc:
            self.fail(tid, str(exc))
            return
        self._send("ack", tid, seq=seq, received=transfer.received)
        rows = self._widget._rows
        if not transfer.complete:
            rows.update(tid, status="receiving", received=transfer.received)
            return
        del self._transfers[tid]
        self._received[tid] = transfer.size
        payload = transfer.finish()
        rows.update(tid, status="uploading", received=transfer.size, seconds=transfer.seconds())
        self._widget._start(tid, payload, self._options.pop(tid))

    def _drop_stale(self) -> None:
        """Free the spools of transfers whose page went away mid-file."""
        now = time.monotonic()
        for tid, transfer in list(self._transfers.items()):
            if now - transfer.last_activity > STALE_SECONDS:
                self.fail(tid, "the browser stopped sending (page closed or reloaded?)")
