"""The widget's uploads: a few at once in worker threads, each one cancellable.

Every file, whether it came from the browser's chunks or an ``ipywidgets.FileUpload``, goes
through :func:`qapps_nb.upload` like any other upload, so retries and shared pacing are the
pipeline's. ``max_workers`` files go to S3 at once (like ``upload_many``), so a small file
does not wait behind a big one. The outcome of each goes back through two callbacks: one
for a stored file, one for a failed or cancelled one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from typing import Any

from ..errors import QAppsError, UploadCancelled
from ..result import UploadResult
from .messages import attach_note, for_widget
from .rows import Rows

log = logging.getLogger("qapps_nb.widget")

Stored = Callable[[str, UploadResult, str], None]
"""``stored(row_id, result, note)``: the file is in S3 (``note``: e.g. why attach failed)."""
Ended = Callable[[str, str, str], None]
"""``ended(row_id, status, reason)``: failed or cancelled; nothing was stored."""


class Jobs:
    """Runs uploads for one widget; ``cancel`` reaches the upload at its next chunk."""

    def __init__(self, rows: Rows, *, max_workers: int, stored: Stored, ended: Ended) -> None:
        self._rows = rows
        self._stored = stored
        self._ended = ended
        self._executor = ThreadPoolExecutor(max_workers=max_workers,
                                            thread_name_prefix="qapps-widget")
        self._cancels: dict[str, threading.Event] = {}
        self.futures: list[Future[UploadResult]] = []

    def start(self, row_id: str, source: Any, options: dict[str, Any]) -> Future[UploadResult]:
        cancel = threading.Event()
        self._cancels[row_id] = cancel
        future = self._executor.submit(self._upload, row_id, source, options, cancel)
        self.futures.append(future)
        return future

    def cancel(self, row_id: str) -> bool:
        """Ask one upload to stop; False when it is not (or no longer) running here."""
        event = self._cancels.get(row_id)
        if event is None:
            return False
        event.set()
        return True

    def wait(self, timeout: float | None) -> None:
        wait_futures(list(self.futures), timeout=timeout)

    def shutdown(self) -> None:
        for event in list(self._cancels.values()):
            event.set()
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _upload(self, row_id: str, source: Any, options: dict[str, Any],
                cancel: threading.Event) -> UploadResult:
        from .. import pipeline

        def progress(done: int, total: int, phase: str = "sending") -> None:
            self._rows.update(row_id, phase=phase, sent=done if phase == "sending" else 0)

        options = dict(options)
        note = options.pop("note", "")  # said on the row when the file is stored
        try:
            if cancel.is_set():
                raise UploadCancelled("cancelled before the upload started")
            result = pipeline.upload(source, progress=progress, cancel=cancel, **options)
        except UploadCancelled:
            self._ended(row_id, "cancelled", "cancelled")
            raise
        except Exception as exc:
            stored = getattr(exc, "result", None)  # attach refused: the file is stored
            if isinstance(stored, UploadResult):
                self._stored(row_id, stored, attach_note(exc))
                return stored
            if not isinstance(exc, QAppsError):
                log.exception("qapps-nb widget: upload of row %s failed", row_id)
            self._ended(row_id, "failed", for_widget(exc))
            raise
        finally:
            self._cancels.pop(row_id, None)
            close = getattr(source, "close", None)
            if callable(close):  # an owned spool the pipeline never opened
                close()
        self._stored(row_id, result, note)
        return result
