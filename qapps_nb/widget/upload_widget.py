"""``UploadWidget``: pick files in the browser and store them in a Q Apps file card.

ipywidgets' ``FileUpload`` sends a whole file in one websocket message, so files above the
Jupyter server's 10 MiB message limit never reach the kernel (and nothing says so), and it
keeps the bytes in the widget state. This widget streams files in flow-controlled chunks
to a spool in the kernel (``receiver.py``, ``transfer.py``), then runs
:func:`qapps_nb.upload` in worker threads (``jobs.py``) so the kernel stays responsive and
Cancel works. The app and card are picked by title from the instance's apps, listed in the
background (``catalog.py``). The synced state holds titles, ids, sizes and statuses only:
no file bytes, no presigned fields, no AWS settings.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import anywidget
import traitlets as t

from .. import validation
from ..errors import ValidationError
from ..result import UploadResult, format_size
from ..service.client import ClientOptions
from . import defaults
from .callbacks import CallbackRunner, Log
from .catalog import Catalog, CatalogState
from .fields import field_errors, looking_for, resolve_titles
from .jobs import Jobs
from .receiver import Receiver
from .rows import Rows
from .transfer import MAX_CHUNK

_STATIC = Path(__file__).parent / "static"
_JS_PARTS = ("helpers.js", "table.js", "sender.js", "pickers.js", "widget.js")
_ID_FIELDS = ("instance_id", "app_id", "card_id", "session_id")
LABELS = {"instance_id": "Instance ID", "app_id": "App", "card_id": "Card",
          "session_id": "Session ID", "scope": "Scope"}
"""The fields' labels in the front end, for messages about them."""
OWNER_ONLY = "not made the card's default: only the app's owner can set its default file"
_THREAD_TRAITS = ("app_id", "card_id", "field_errors", "apps", "apps_status", "apps_message",
                  "sandbox", "rows", "log")
"""Traits that worker threads change (listing, uploads, callbacks)."""
RELOAD_DELAY = 0.6
"""Seconds after the last change of the Instance ID before its apps are listed."""


def _bundle() -> str:
    """anywidget loads one ES module: the front-end files, joined in order."""
    return "\n".join((_STATIC / name).read_text(encoding="utf-8") for name in _JS_PARTS)


class UploadWidget(anywidget.AnyWidget):
    """Upload files picked in the browser (any size up to 5 GB) to an Amazon Q Apps card.

    Fields default like ``%qapps_upload``: argument > ``%config QAppsMagics.x`` > ``QAPPS_*``.
    Once the widget is shown with an instance id, the App and Card pickers fill in the
    background with the apps that have a file-upload card (``refresh_apps()`` lists them
    without a view, e.g. to resolve ``app=`` titles in a script). Stored files land in
    ``results`` / ``file_ids`` and go to ``on_upload`` callbacks, whose output shows under
    the widget (``log``); failed and cancelled ones land in ``errors``. Every file has a
    row in the synced ``rows``.
    """

    _esm = _bundle()
    _css = _STATIC / "widget.css"

    instance_id = t.Unicode("", help="Amazon Q Business instance id").tag(sync=True)
    app_id = t.Unicode("", help="Q App id (UUID)").tag(sync=True)
    card_id = t.Unicode("", help="file-upload card id (UUID)").tag(sync=True)
    scope = t.Unicode("APPLICATION", help="APPLICATION or SESSION").tag(sync=True)
    session_id = t.Unicode("", help="Q App session id (UUID); used with scope SESSION").tag(
        sync=True)
    attach = t.Bool(False, help="make each stored file the card's default file (UpdateQApp; "
                    "APPLICATION scope only)").tag(sync=True)
    field_errors = t.Dict(
        help="field name → why its value would be refused (kernel-side validation)",
    ).tag(sync=True)
    apps = t.List(t.Dict(), help="the pickers' apps: those with a file-upload card, with "
                  "those cards (titles, ids, default file names)").tag(sync=True)
    apps_status = t.Unicode("off", help="off, loading, ready or failed").tag(sync=True)
    apps_message = t.Unicode("", help="one line about the listing: progress, or why it "
                             "failed").tag(sync=True)
    sandbox = t.Bool(False, help="answers come from the local qapps-nb sandbox").tag(sync=True)
    max_file_size = t.Int(validation.MAX_UPLOAD_BYTES,
                          help="larger files are refused before any byte moves").tag(sync=True)
    chunk_size = t.Int(4 * 1024 * 1024, help="bytes per browser → kernel message").tag(sync=True)
    window = t.Int(8, help="chunks in flight before the kernel acknowledges").tag(sync=True)
    parallel = t.Int(3, help="files the browser sends to the kernel at once").tag(sync=True)
    rows = t.List(t.Dict(), help="one row per file for the table: ids, sizes, status, "
                  "progress; never bytes").tag(sync=True)
    log = t.List(t.Dict(), help="what on_upload callbacks printed or raised").tag(sync=True)
    results = t.List(t.Dict(), help="UploadResult.to_dict() of each stored file, in "
                     "completion order")
    errors = t.List(t.Dict(), help="failed or cancelled files: file_name, size, status, error")
    file_ids = t.List(t.Unicode(), help="fileId of each stored file, in completion order")

    def __init__(self, *, instance_id: str | None = None, app_id: str | None = None,
                 card_id: str | None = None, app: str | None = None, card: str | None = None,
                 scope: str | None = None, session_id: str | None = None, attach: bool = False,
                 profile: str | None = None, region: str | None = None,
                 endpoint_url: str | None = None, session: Any = None, file_upload: Any = None,
                 max_file_size: int | None = None, spool_dir: str | None = None,
                 max_workers: int | None = None, load_apps: bool = True,
                 **kwargs: Any) -> None:
        values = defaults.resolve_all({
            "instance_id": instance_id, "app_id": app_id, "card_id": card_id, "app": app,
            "card": card, "scope": scope, "session_id": session_id, "profile": profile,
            "region": region, "endpoint_url": endpoint_url})
        if values["scope"] not in validation.SCOPES:
            raise ValidationError(f"scope {values['scope']!r} is not one of: application, "
                                  "session")
        if max_file_size is not None:
            kwargs["max_file_size"] = max_file_size
        self._wanted: dict[str, str | None] = {"app_id": values["app"],
                                               "card_id": values["card"]}
        self._unresolved: dict[str, str | None] = {}
        self._catalog = Catalog(self._catalog_changed)
        super().__init__(**{k: values[k] or "" for k in (*_ID_FIELDS, "scope")},
                         attach=bool(attach), **kwargs)
        self._client = {"session": session, "profile": values["profile"],
                        "region": values["region"], "endpoint_url": values["endpoint_url"]}
        self._rows = Rows(self._publish_rows)
        self._receiver = Receiver(self, spool_dir)
        self._jobs = Jobs(self._rows, max_workers=defaults.max_workers(max_workers),
                          stored=self._stored, ended=self._end_row)
        self._callbacks: list[Callable[[UploadResult], Any]] = []
        self._log = Log(self._publish_log)
        self._runner = CallbackRunner(self._log)
        self._file_upload: Any = None
        self._load_enabled = load_apps
        self._shown = False
        self._reload_timer: threading.Timer | None = None
        self._unresolved.update(looking_for(self._wanted))
        self._refresh_errors()
        self.on_msg(self._on_msg)
        if self._can_list():
            self.apps_status, self.apps_message = "loading", "listing apps…"
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

    @t.validate("window", "parallel")
    def _valid_window(self, proposal: Any) -> int:
        value, name = int(proposal["value"]), proposal["trait"].name
        if not 1 <= value <= 64:
            raise t.TraitError(f"{name} must be 1 to 64")
        return value

    @t.observe(*_ID_FIELDS, "scope")
    def _ids_changed(self, change: Any) -> None:
        if change["name"] in self._wanted and change["new"]:
            self._wanted[change["name"]] = None  # a picked or typed id replaces a title
            self._unresolved.pop(change["name"], None)
        self._refresh_errors()
        if change["name"] == "instance_id" and hasattr(self, "_jobs"):
            self._schedule_reload()

    def _refresh_errors(self) -> None:
        values = {name: getattr(self, name) for name in (*_ID_FIELDS, "scope")}
        self.field_errors = field_errors(values, self._catalog.known(self.app_id),
                                         self._unresolved)

    def _target(self) -> dict[str, Any]:
        """The upload keywords as the fields stand now; raises the first field's error."""
        for name in (*_ID_FIELDS, "scope"):
            if name in self.field_errors:
                raise ValidationError(f"{LABELS[name]}: {self.field_errors[name]}")
        session = self.session_id if self.scope == "SESSION" else None
        attach, note = self.attach and self.scope == "APPLICATION", ""
        app = self._catalog.known(self.app_id)
        if attach and app is not None and app["can_edit"] is False:
            # the front end greys the option out for such an app: just upload, and say why
            attach, note = False, OWNER_ONLY
        return {"instance_id": self.instance_id, "app_id": self.app_id,
                "card_id": self.card_id, "scope": self.scope, "session_id": session,
                "attach": attach, "note": note, **self._client}

    # -- the pickers' apps ----------------------------------------------------------------
    def refresh_apps(self) -> None:
        """List the instance's apps (again), bypassing the cache (the ↻ button)."""
        self._load_apps(refresh=True)

    def _can_list(self) -> bool:
        return self._load_enabled and "instance_id" not in self.field_errors

    def _load_apps(self, refresh: bool = False) -> None:
        if not self._can_list():
            self._catalog.stop()
            return
        options = ClientOptions(**self._client)
        self._catalog.load(self.instance_id, options, first=self.app_id or None,
                           refresh=refresh)

    def _schedule_reload(self) -> None:
        if self._reload_timer is not None:
            self._reload_timer.cancel()
        self._catalog.stop()
        if not self._shown:  # listed when a view first shows the widget
            return
        self._reload_timer = threading.Timer(RELOAD_DELAY, self._load_apps)
        self._reload_timer.daemon = True
        self._reload_timer.start()

    def _catalog_changed(self, state: CatalogState) -> None:
        """From the listing thread: new picker data; resolve titles given as settings."""
        self.apps = state.apps
        self.apps_status = state.status
        self.apps_message = state.message
        if state.sandbox:
            self.sandbox = True
        self._resolve_wanted(state)
        self._refresh_errors()

    def _resolve_wanted(self, state: CatalogState) -> None:
        """An app or card given by title becomes an id once the apps are known."""
        ids, reasons = resolve_titles(self._wanted, state.status, state.apps,
                                      self._catalog.known, self.app_id, self.card_id)
        for name in self._wanted:  # the app first: the card is looked up in it
            if name in ids:
                self._wanted[name] = None
                self._unresolved.pop(name, None)
                setattr(self, name, ids[name])
            elif name in reasons:
                self._unresolved[name] = reasons[name]

    # -- public API -----------------------------------------------------------------------
    def on_upload(self, callback: Callable[[UploadResult], Any], remove: bool = False) -> None:
        """Call ``callback(result)`` for every stored file; what it prints shows below."""
        if remove:
            self._callbacks.remove(callback)
        else:
            self._callbacks.append(callback)

    def clear_log(self) -> None:
        """Empty the callback output shown under the widget."""
        self._log.clear()

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
                uploading = self._jobs.cancel(tid)
                if receiving or not uploading:
                    self._end_row(tid, "cancelled", "cancelled")

    def wait(self, timeout: float | None = None) -> list[dict[str, Any]]:
        """Block until the uploads already handed to the kernel end; return ``results``."""
        self._jobs.wait(timeout)
        self._rows.flush()
        return list(self.results)

    def close(self) -> None:
        if not hasattr(self, "_jobs"):  # __init__ refused its arguments
            super().close()
            return
        if self._reload_timer is not None:
            self._reload_timer.cancel()
        self._catalog.close()
        self.cancel()
        self._jobs.shutdown()
        self._runner.shutdown()
        if self._file_upload is not None:
            self._file_upload.unobserve(self._file_upload_changed, "value")
            self._file_upload = None
        super().close()

    def __repr__(self) -> str:
        """One line, for saved notebooks and consoles that cannot show the widget."""
        app = self._catalog.known(self.app_id) if hasattr(self, "_catalog") else None
        if app is not None:
            card = self._catalog.card_title(self.app_id, self.card_id)
            where = f"app {app['title']!r}" + (f", card {card!r}" if card else "")
        elif self.app_id:
            where = f"app {self.app_id[:8]}…" + (f", card {self.card_id[:8]}…"
                                                 if self.card_id else "")
        else:
            where = "no app chosen"
        rows = self.rows
        counts = [f"{sum(r['status'] == s for r in rows)} {s}" for s in
                  ("done", "failed", "cancelled") if any(r["status"] == s for r in rows)]
        return (f"<UploadWidget: {where}, {self.scope.lower()} scope; "
                f"{', '.join(counts) or 'no uploads yet'}>")

    def _problem(self, name: Any, size: Any) -> str | None:
        """Why a file is refused before any byte moves, or None."""
        try:
            self._target()
            validation.check_file_name(name)
        except ValidationError as exc:
            return str(exc)
        if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
            return "file is empty: there is nothing to upload"
        if size > self.max_file_size:
            return (f"file is {validation.shown_over(size, self.max_file_size)}; the limit is "
                    f"{format_size(self.max_file_size, exact=True)} (max_file_size)")
        return None

    # -- uploads -------------------------------------------------------------------------
    def _on_msg(self, widget: Any, content: Any, buffers: Sequence[Any]) -> None:
        if isinstance(content, dict) and content.get("type") == "hello":
            # A view just rendered, so its model exists in the front end. Listing starts
            # now, not in __init__: updates sent from a thread while the front end was
            # still creating the model broke it in Notebook 6, and a widget nobody sees
            # (a headless run) needs no listing. A second view gets the threads' state.
            if not self._shown:
                self._shown = True
                self._load_apps()
            else:
                self.send_state(list(_THREAD_TRAITS))
        elif isinstance(content, dict) and content.get("type") == "apps-refresh":
            self.refresh_apps()
        elif isinstance(content, dict) and content.get("type") == "clear-log":
            self.clear_log()
        else:
            self._receiver.on_message(widget, content, buffers)

    def _submit_entry(self, entry: Any) -> Future[UploadResult]:
        import uuid

        tid = uuid.uuid4().hex
        name = str(entry.get("name", "?")) if isinstance(entry, dict) else "?"
        content = entry.get("content") if isinstance(entry, dict) else None
        size = memoryview(content).nbytes if content is not None else 0
        self._rows.add(tid, name, size, received=size)
        try:
            problem = self._problem(name, size)
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
        return self._jobs.start(tid, source, options)

    def _stored(self, tid: str, result: UploadResult, note: str) -> None:
        if result.attached and result.app_version is not None:
            card = result.card_title or self._catalog.card_title(result.app_id,
                                                                 result.card_id)
            label = repr(card) if card else "the card"
            note = f"now the default file of {label} (app version {result.app_version})"
            self._catalog.set_default(result.app_id, result.card_id, result.file_name,
                                      result.app_version)
        with self._rows.lock:
            if not self._rows.update(tid, status="done", sent=result.size,
                                     file_id=result.file_id, sandbox=result.sandbox,
                                     note=note, attached=result.attached):
                return
            self.results = [*self.results, result.to_dict()]
            self.file_ids = [*self.file_ids, result.file_id]
        if result.sandbox:
            self.sandbox = True
        if self._callbacks:
            self._runner.submit(list(self._callbacks), result)

    def _end_row(self, tid: str, status: str, reason: str) -> None:
        with self._rows.lock:
            row = self._rows.get(tid)
            if row is None or not self._rows.update(tid, status=status, error=reason):
                return
            self.errors = [*self.errors, {"file_name": row["file_name"], "size": row["size"],
                                          "status": status, "error": reason}]

    def _publish_rows(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows

    def _publish_log(self, entries: list[dict[str, str]]) -> None:
        self.log = entries

    # -- an existing ipywidgets.FileUpload ----------------------------------------------------
    def _watch(self, file_upload: Any) -> None:
        self._file_upload = file_upload
        file_upload.observe(self._file_upload_changed, "value")
        if file_upload.value:
            self.upload_from(file_upload)

    def _file_upload_changed(self, change: Any) -> None:
        if change["new"]:
            self.upload_from(change["new"])
