"""``UploadWidget``: pick files in the browser and store them in a Q Apps file card.

ipywidgets' ``FileUpload`` sends a whole file in one websocket message, so files above the
Jupyter server's 10 MiB message limit never reach the kernel (and nothing says so), and it
keeps the bytes in the widget state. This widget streams files in flow-controlled chunks
to a spool in the kernel (``transfer.py``), then runs :func:`qapps_nb.upload` in a worker thread so
the kernel stays responsive and Cancel works. The synced state holds ids, sizes and
statuses only: no file bytes, no presigned fields.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from pathlib import Path
from typing import Any

import anywidget
import traitlets as t

from .. import validation
from ..errors import QAppsError, UploadCancelled, ValidationError
from ..result import UploadResult, format_size
from .defaults import resolve_all
from .receiver import Receiver
from .rows import Rows
from .transfer import MAX_CHUNK

log = logging.getLogger("qapps_nb.widget")
_STATIC = Path(__file__).parent / "static"
_JS_PARTS = ("helpers.js", "table.js", "sender.js", "widget.js")


def _bundle() -> str:
    """anywidget loads one ES module: the four front-end files, joined in order."""
    return "\n".join((_STATIC / name).read_text(encoding="utf-8") for name in _JS_PARTS)


_ID_FIELDS = ("instance_id", "app_id", "card_id", "session_id")


class UploadWidget(anywidget.AnyWidget):
    """Upload files picked in the browser (any size up to 5 GB) to an Amazon Q Apps card.

    Ids default like ``%qapps_upload``: argument > ``%config QAppsMagics.x`` > ``QAPPS_*``.
    Successful uploads land in ``results`` / ``file_ids`` and go to ``on_upload`` callbacks
    (called from an upload thread); failed and cancelled ones land in ``errors``, so every
    dict in ``results`` has a ``file_id``. Every file has a row in the synced ``rows``, which
    the table draws; ``results``, ``errors`` and ``file_ids`` stay in Python (observable).
    """

    _esm = _bundle()
    _css = _STATIC / "widget.css"

    instance_id = t.Unicode("", help="Amazon Q Business instance id").tag(sync=True)
    app_id = t.Unicode("", help="Q App id (UUID)").tag(sync=True)
    card_id = t.Unicode("", help="file-upload card id (UUID)").tag(sync=True)
    scope = t.Unicode("APPLICATION", help="APPLICATION or SESSION").tag(sync=True)
    session_id = t.Unicode("", help="Q App session id (UUID); used with scope SESSION").tag(
        sync=True)
    field_errors = t.Dict(
        help="field name → why its value would be refused (kernel-side validation)",
    ).tag(sync=True)
    max_file_size = t.Int(validation.MAX_UPLOAD_BYTES,
                          help="larger files are refused before any byte moves").tag(sync=True)
    chunk_size = t.Int(4 * 1024 * 1024, help="bytes per browser → kernel message").tag(sync=True)
    window = t.Int(8, help="chunks in flight before the kernel acknowledges").tag(sync=True)
    rows = t.List(t.Dict(), help="one row per file for the table: ids, sizes, status, "
                  "progress; never bytes").tag(sync=True)
    results = t.List(t.Dict(), help="UploadResult.to_dict() of each stored file, in "
                     "completion order")
    errors = t.List(t.Dict(), help="failed or cancelled files: file_name, size, status, error")
    file_ids = t.List(t.Unicode(), help="fileId of each stored file, in completion order")

    def __init__(self, *, instance_id: str | None = None, app_id: str | None = None,
                 card_id: str | None = None, scope: str | None = None,
                 session_id: str | None = None, profile: str | None = None,
                 region: str | None = None, endpoint_url: str | None = None,
                 session: Any = None, file_upload: Any = None,
                 max_file_size: int | None = None, spool_dir: str | None = None,
                 max_workers: int = 2, **kwargs: Any) -> None:
        values = resolve_all({"instance_id": instance_id, "app_id": app_id, "card_id": card_id,
                              "scope": scope, "session_id": session_id, "profile": profile,
                              "region": region, "endpoint_url": endpoint_url})
        if values["scope"] not in validation.SCOPES:
            raise ValidationError(f"scope {values['scope']!r} is not one of: application, "
                                  "session")
        if max_file_size is not None:
            kwargs["max_file_size"] = max_file_size
        super().__init__(**{k: values[k] or "" for k in (*_ID_FIELDS, "scope")}, **kwargs)
        self._client = {"session": session, "profile": values["profile"],
                        "region": values["region"], "endpoint_url": values["endpoint_url"]}
        self._rows = Rows(self._publish_rows)
        self._receiver = Receiver(self, spool_dir)
        self._cancels: dict[str, threading.Event] = {}
        self._futures: list[Future[UploadResult]] = []
        self._callbacks: list[Callable[[UploadResult], Any]] = []
        self._executor = ThreadPoolExecutor(max_workers=max_workers,
                                            thread_name_prefix="qapps-widget")
        self._file_upload: Any = None
        self._refresh_errors()
        self.on_msg(self._receiver.on_message)
        if file_upload is not None:
            self._watch(file_upload)

    # -- validation -----------------------------------------------------------------------
    @t.validate("scope")
    def _valid_scope(self, proposal: Any) -> str:
        value = str(proposal["value"]).strip().upper()
        if value not in validation.SCOPES:
            raise t.TraitError(f"scope {proposal['value']!r} is not one of: application, session")
        return value

    @t.validate("max_file_size")
    def _valid_max(self, proposal: Any) -> int:
        value = int(proposal["value"])
        if not 1 <= value <= validation.MAX_UPLOAD_BYTES:
            raise t.TraitError(f"max_file_size must be 1 to {validation.MAX_UPLOAD_BYTES:,} "
                               "bytes (S3 takes at most 5 GB in one upload)")
        return value

    @t.validate("chunk_size")
    def _valid_chunk(self, proposal: Any) -> int:
        value = int(proposal["value"])
        if not 64 * 1024 <= value <= MAX_CHUNK:
            raise t.TraitError(f"chunk_size must be 64 KiB to {MAX_CHUNK:,} bytes (the server "
                               "drops websocket messages above 10 MiB)")
        return value

    @t.validate("window")
    def _valid_window(self, proposal: Any) -> int:
        value = int(proposal["value"])
        if not 1 <= value <= 64:
            raise t.TraitError("window must be 1 to 64 chunks")
        return value

    @t.observe(*_ID_FIELDS, "scope")
    def _ids_changed(self, change: Any) -> None:
        self._refresh_errors()

    def _refresh_errors(self) -> None:
        errors: dict[str, str] = {}
        checks: list[tuple[str, Callable[[], object]]] = [
            ("instance_id", lambda: validation.check_instance_id(self.instance_id)),
            ("app_id", lambda: validation.check_uuid(self.app_id, "app id")),
            ("card_id", lambda: validation.check_uuid(self.card_id, "card id")),
        ]
        if self.scope == "SESSION":
            checks.append(("session_id",
                           lambda: validation.check_uuid(self.session_id, "session id")))
        for name, check in checks:
            try:
                check()
            except ValidationError as exc:
                errors[name] = exc.message
        self.field_errors = errors

    def _target(self) -> dict[str, Any]:
        """The upload keywords as the fields stand now; raises the first field's error."""
        for name in (*_ID_FIELDS, "scope"):
            if name in self.field_errors:
                raise ValidationError(f"{name.replace('_', ' ')}: {self.field_errors[name]}")
        session = self.session_id if self.scope == "SESSION" else None
        return {"instance_id": self.instance_id, "app_id": self.app_id,
                "card_id": self.card_id, "scope": self.scope, "session_id": session,
                **self._client}

    # -- public API -----------------------------------------------------------------------
    def on_upload(self, callback: Callable[[UploadResult], Any], remove: bool = False) -> None:
        """Call ``callback(result)`` for every stored file (from a worker thread)."""
        if remove:
            self._callbacks.remove(callback)
        else:
            self._callbacks.append(callback)

    def upload_from(self, file_upload: Any) -> list[Future[UploadResult]]:
        """Upload every file an ``ipywidgets.FileUpload`` holds (its ``.value``).

        Returns one Future per file; the rows, ``results`` and ``errors`` update as they end.
        """
        entries: Sequence[Any] = getattr(file_upload, "value", file_upload)
        return [self._submit_entry(entry) for entry in entries]

    def cancel(self, transfer_id: str | None = None) -> None:
        """Stop one transfer (or all): browser sends stop, uploads raise UploadCancelled."""
        with self._rows.lock:
            ids = [transfer_id] if transfer_id else self._rows.active_ids()
            for tid in ids:
                receiving = self._receiver.stop(tid, "cancelled")
                event = self._cancels.get(tid)
                if event is not None:
                    event.set()
                if receiving or event is None:
                    self._end_row(tid, "cancelled", "cancelled")

    def wait(self, timeout: float | None = None) -> list[dict[str, Any]]:
        """Block until the uploads already handed to the kernel end; return ``results``."""
        wait_futures(list(self._futures), timeout=timeout)
        self._rows.flush()
        return list(self.results)

    def close(self) -> None:
        if not hasattr(self, "_rows"):  # __init__ refused its arguments
            super().close()
            return
        self.cancel()
        self._executor.shutdown(wait=False, cancel_futures=True)
        if self._file_upload is not None:
            self._file_upload.unobserve(self._file_upload_changed, "value")
            self._file_upload = None
        super().close()

    def _problem(self, name: Any, size: Any, browser_reason: Any) -> str | None:
        """Why a file is refused before any byte moves, or None."""
        try:
            self._target()
            validation.check_file_name(name)
        except ValidationError as exc:
            return str(exc)
        if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
            return "file is empty: there is nothing to upload"
        if size > self.max_file_size:
            return (f"file is {format_size(size)}; the limit is "
                    f"{format_size(self.max_file_size)} (max_file_size)")
        if browser_reason:
            return str(browser_reason)[:300]
        return None

    # -- uploads (worker threads) -----------------------------------------------------------
    def _submit_entry(self, entry: Any) -> Future[UploadResult]:
        import uuid

        tid = uuid.uuid4().hex
        name = str(entry.get("name", "?")) if isinstance(entry, dict) else "?"
        content = entry.get("content") if isinstance(entry, dict) else None
        size = memoryview(content).nbytes if content is not None else 0
        self._rows.add(tid, name, size, received=size)
        try:
            problem = self._problem(name, size, None)
            if problem:
                raise ValidationError(problem)
            options = self._target()
        except ValidationError as exc:
            self._end_row(tid, "failed", str(exc))
            future: Future[UploadResult] = Future()
            future.set_exception(exc)
            return future
        self._rows.update(tid, status="uploading")
        return self._start(tid, entry, options)

    def _start(self, tid: str, source: Any, options: dict[str, Any]) -> Future[UploadResult]:
        cancel = threading.Event()
        self._cancels[tid] = cancel
        future = self._executor.submit(self._upload, tid, source, options, cancel)
        self._futures.append(future)
        return future

    def _upload(self, tid: str, source: Any, options: dict[str, Any],
                cancel: threading.Event) -> UploadResult:
        from .. import pipeline

        def progress(done: int, total: int, phase: str = "sending") -> None:
            self._rows.update(tid, phase=phase, sent=done if phase == "sending" else 0)

        try:
            if cancel.is_set():
                raise UploadCancelled("cancelled before the upload started")
            result = pipeline.upload(source, progress=progress, cancel=cancel, **options)
        except UploadCancelled:
            self._end_row(tid, "cancelled", "cancelled")
            raise
        except QAppsError as exc:
            self._end_row(tid, "failed", str(exc))
            raise
        except Exception as exc:
            log.exception("qapps-nb widget: upload of row %s failed", tid)
            self._end_row(tid, "failed", f"unexpected error: {type(exc).__name__}: {exc}"[:300])
            raise
        finally:
            self._cancels.pop(tid, None)
            close = getattr(source, "close", None)
            if callable(close):  # an owned spool the pipeline never opened
                close()
        self._finish(tid, result)
        return result

    def _finish(self, tid: str, result: UploadResult) -> None:
        with self._rows.lock:
            if not self._rows.update(tid, status="done", sent=result.size,
                                     file_id=result.file_id, sandbox=result.sandbox,
                                     expiration=result.expiration.isoformat()):
                return
            self.results = [*self.results, result.to_dict()]
            self.file_ids = [*self.file_ids, result.file_id]
        for callback in list(self._callbacks):
            try:
                callback(result)
            except Exception:
                log.exception("qapps-nb widget: on_upload callback %r failed", callback)

    def _end_row(self, tid: str, status: str, reason: str) -> None:
        with self._rows.lock:
            row = self._rows.get(tid)
            if row is None or not self._rows.update(tid, status=status, error=reason):
                return
            self.errors = [*self.errors, {"file_name": row["file_name"], "size": row["size"],
                                          "status": status, "error": reason}]

    def _publish_rows(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows

    # -- an existing ipywidgets.FileUpload ----------------------------------------------------
    def _watch(self, file_upload: Any) -> None:
        self._file_upload = file_upload
        file_upload.observe(self._file_upload_changed, "value")
        if file_upload.value:
            self.upload_from(file_upload)

    def _file_upload_changed(self, change: Any) -> None:
        if change["new"]:
            self.upload_from(change["new"])
