"""The one upload pipeline: source → hash → presign → POST → result.

The magic, the widget, scripts and papermill pipelines all call :func:`upload` /
:func:`upload_many`. Nothing here knows about IPython or widgets; progress is a callback.
Everything that can be checked locally is checked before the first network call.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from typing import Any

from . import pacing
from .errors import (
    AttachError,
    BatchUploadError,
    ConfigurationError,
    QAppsError,
    S3UploadError,
    UploadCancelled,
    ValidationError,
)
from .notices import SizeWarning, notify
from .progress import make_reporter
from .result import RetryStats, UploadResult, UploadResults, format_size
from .service.client import ClientOptions
from .service.presign import create_presigned_url
from .sources import Payload, describe, expand, prepare
from .targeting import Plan, Target, plan
from .transport import UrlExpired, post
from .validation import check_file_name, check_size, size_notice

__all__ = ["SizeWarning", "Target", "upload", "upload_many"]
_WHERE = ("instance_id", "app", "app_id", "card", "card_id", "scope", "session_id")
"""The keyword arguments that say where a file goes (see ``targeting.plan``)."""

log = logging.getLogger("qapps_nb")


def upload(source: Any, *, instance_id: str | None = None, app: str | None = None,
           app_id: str | None = None, card: str | None = None, card_id: str | None = None,
           scope: str | None = None, session_id: str | None = None, attach: bool = False,
           file_name: str | None = None, session: Any = None, profile: str | None = None,
           region: str | None = None, endpoint_url: str | None = None, progress: Any = None,
           timeout: Any = None, cancel: threading.Event | None = None) -> UploadResult:
    """Upload one file or piece of notebook data to a Q Apps file card; return its fileId.

    ``source``: a path (``str`` is always a path), bytes, ``qapps_nb.Text``, a pandas or
    polars DataFrame, a dict/list (JSON), a binary file object, an ``ipywidgets.FileUpload``
    with one file (or one entry of its ``.value``), or a :class:`~qapps_nb.sources.Payload`.
    ``app``/``card``: a title (case ignored) or an id, beside ``app_id``/``card_id``; the
    card may be left out when the app has one file-upload card. ``attach=True`` then makes
    the file that card's default (``UpdateQApp``; APPLICATION scope; owner only).
    Settings default to the ``QAPPS_*`` environment; AWS ones to boto3's own resolution.
    """
    aws = ClientOptions(session, profile, region, endpoint_url)
    destination = plan(instance_id=instance_id, app=app, app_id=app_id, card=card,
                       card_id=card_id, scope=scope, session_id=session_id, attach=attach,
                       options=aws)
    payload = prepare_checked(source, file_name)
    try:
        target, _ = destination.resolve()
        result = send(payload, target, aws, progress=progress, timeout=timeout, cancel=cancel)
    finally:
        payload.close()
    return _finish(result, target, destination)


def _finish(result: UploadResult, target: Target, destination: Plan) -> UploadResult:
    """Titles on the result; with ``attach``, the card's new default file (UpdateQApp)."""
    if target.card_title:
        result = dataclasses.replace(result, app_title=target.app_title,
                                     card_title=target.card_title)
    if not destination.attach:
        return result
    from .service.definition import attach

    return attach(result, destination.options)


def upload_many(sources: Iterable[Any], *, max_workers: int = 4, return_exceptions: bool = False,
                **options: Any) -> UploadResults:
    """Upload several sources concurrently; results come back in input order.

    One failure does not stop the others. When any failed, :class:`BatchUploadError` is
    raised after all finished (its ``results`` hold the successes), unless
    ``return_exceptions=True``, which puts each exception in its place in the list.
    The list is an :class:`~qapps_nb.result.UploadResults`; its ``stats`` count the
    retries the batch took. Workers share one pacer per service (see ``pacing.py``):
    a burst of throttling or 5xx answers backs them all off together.
    Takes :func:`upload`'s options; names are looked up once for the whole batch.
    ``attach=True`` takes exactly one source: a card has one default file.
    """
    items = expand(sources)
    if options.get("file_name") is not None and len(items) != 1:
        raise ConfigurationError("file_name= names one file; it cannot be used with several "
                                 "sources (rename the files, or upload them one by one)")
    if max_workers < 1:
        raise ConfigurationError("max_workers must be at least 1")
    aws = ClientOptions(*(options.pop(k, None) for k in
                          ("session", "profile", "region", "endpoint_url")))
    destination = plan(**{k: options.pop(k, None) for k in _WHERE},
                       attach=bool(options.pop("attach", False)), options=aws)
    if destination.attach and len(items) > 1:
        raise ValidationError(f"attach=True makes one file the card's default: give one "
                              f"source, not {len(items)}")
    file_name = options.pop("file_name", None)
    user_progress = options.pop("progress", None)
    # Workers stop at the next chunk when the caller is interrupted: no thread keeps sending.
    cancel = options.pop("cancel", None) or threading.Event()
    timeout = options.pop("timeout", None)
    if options:
        raise TypeError(f"upload_many() got unexpected keyword arguments: {sorted(options)}")
    if not items:
        return UploadResults(stats=RetryStats(0, 0, 0, 0, 0, 0.0), labels=[])
    started = time.monotonic()
    # Bad input anywhere fails the whole call before any network traffic.
    payloads: list[Payload] = []
    try:
        for item in items:
            payloads.append(prepare_checked(item, file_name))
        target, _ = destination.resolve()  # titles → ids once for the whole batch
    except BaseException:
        for p in payloads:
            p.close()
        raise
    if aws.session is None:  # build the shared client once, not in every worker
        aws.client()
    batch = _BatchProgress(user_progress, payloads)
    tally = _Tally()

    def one(index: int) -> UploadResult:
        try:
            return send(payloads[index], target, aws, progress=batch.for_item(index),
                        timeout=timeout, cancel=cancel, tally=tally)
        finally:
            payloads[index].close()

    results: list[Any] = [None] * len(payloads)
    failures: list[tuple[int, str, QAppsError]] = []
    with ThreadPoolExecutor(max_workers=min(max_workers, len(payloads)),
                            thread_name_prefix="qapps-upload") as pool:
        futures = [pool.submit(one, i) for i in range(len(payloads))]
        try:
            for i, future in enumerate(futures):
                # Wake up often: a blocked wait would not notice Ctrl-C when another
                # library (polars) installed a SIGINT handler with SA_RESTART.
                while not wait_futures([future], timeout=0.1).done:
                    pass
                try:
                    results[i] = future.result()
                except QAppsError as exc:
                    results[i] = exc
                    failures.append((i, describe(items[i]), exc))
        except BaseException:
            cancel.set()
            for f in futures:
                f.cancel()
            raise
        finally:
            batch.close()
    for i, result in enumerate(results):
        if not isinstance(result, BaseException):
            try:
                results[i] = _finish(result, target, destination)
            except AttachError as exc:
                results[i] = exc
                failures.append((i, describe(items[i]), exc))
    stats = tally.stats(len(payloads), len(payloads) - len(failures),
                        time.monotonic() - started)
    log.info("upload_many: %s", stats)
    labels = [describe(item) for item in items]
    if failures and not return_exceptions:
        raise BatchUploadError(UploadResults(results, stats=stats, labels=labels), failures,
                               stats=stats)
    return UploadResults(results, stats=stats, labels=labels)


def prepare_checked(source: Any, file_name: str | None) -> Payload:
    """Resolve a source and apply every local rule (name, size) before any network call."""
    payload = prepare(source, file_name)
    try:
        check_file_name(payload.name)
        check_size(payload.size, payload.label)
    except BaseException:
        payload.close()
        raise
    # Shown here, in the caller's thread and before any progress bar, once per big file.
    notice = size_notice(payload.size, _shown(payload))
    if notice:
        notify(notice, SizeWarning)
    return payload


def _shown(payload: Payload) -> str:
    """How a notice names the file: the path as given, else the name and where it came from."""
    if payload.label.endswith(payload.name):
        return payload.label
    return f"{payload.name} ({payload.label})"


def send(payload: Payload, target: Target, aws: ClientOptions, *, progress: Any,
         timeout: Any, cancel: threading.Event | None,
         tally: _Tally | None = None) -> UploadResult:
    """Hash, presign, POST; renew an expired URL once. ``payload`` is closed by the caller.

    ``target`` holds checked ids (``Plan.resolve``); ``payload`` passed ``prepare_checked``.

    Retries are paced with every other upload to the same endpoints (``pacing.py``); the
    attempts each side took end up on the result, and in ``tally`` whatever the outcome.
    """
    with pacing.uploading():  # counted: a file in company keeps trying longer (rule 2)
        return _send_paced(payload, target, aws, progress=progress, timeout=timeout,
                           cancel=cancel, tally=tally)


def _send_paced(payload: Payload, target: Target, aws: ClientOptions, *, progress: Any,
                timeout: Any, cancel: threading.Event | None,
                tally: _Tally | None) -> UploadResult:
    reporter = make_reporter(progress, payload.name)
    api, s3 = pacing.Tries(), pacing.Tries()
    renewed = False
    try:
        payload.ensure_hashed(
            (lambda done, total: reporter("hashing", done, total)) if reporter else None)
        client = aws.client()
        log.info("uploading %s (%s) to app %s card %s", payload.name,
                 format_size(payload.size), target.app_id, target.card_id)
        sending = (lambda done, total: reporter("sending", done, total)) if reporter else None
        while True:
            if cancel is not None and cancel.is_set():
                raise UploadCancelled(f"upload of {payload.name} cancelled; nothing was stored")
            presigned = create_presigned_url(
                client, instance_id=target.instance_id, app_id=target.app_id,
                card_id=target.card_id, file_name=payload.name, sha256=payload.sha256 or "",
                scope=target.scope, session_id=target.session_id, tries=api, cancel=cancel)
            try:
                sends = post(presigned, payload, progress=sending, cancel=cancel,
                             timeout=timeout, tries=s3)
                break
            except UrlExpired:
                if renewed:
                    raise S3UploadError(
                        "the presigned URL expired again before the upload finished",
                        code="AccessDenied",
                        hint="the upload is slower than the URL lifetime; check the network "
                             "or your clock, then try again") from None
                log.info("presigned URL for %s expired; requesting a new one", payload.name)
                renewed = True
    finally:
        if reporter is not None and hasattr(reporter, "close"):
            reporter.close()
        if tally is not None:
            tally.add(api, s3, renewed)
    log.info("stored %s as fileId %s", payload.name, presigned.file_id)
    return UploadResult(
        file_id=presigned.file_id, expiration=presigned.expiration, file_name=payload.name,
        size=payload.size, sha256=payload.sha256 or "", scope=target.scope,
        instance_id=target.instance_id, app_id=target.app_id, card_id=target.card_id,
        session_id=target.session_id, sandbox=presigned.sandbox,
        clock_offset=presigned.clock_offset.total_seconds(),
        attempts=sends + (1 if renewed else 0), api_attempts=api.count)


class _Tally:
    """Retries of a batch, added up from every file whatever its outcome (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._api = self._s3 = self._renewals = 0

    def add(self, api: pacing.Tries, s3: pacing.Tries, renewed: bool) -> None:
        with self._lock:
            self._api += api.retries
            self._s3 += s3.retries
            self._renewals += int(renewed)

    def stats(self, files: int, stored: int, seconds: float) -> RetryStats:
        with self._lock:
            return RetryStats(files=files, stored=stored, api_retries=self._api,
                              s3_resends=self._s3, url_renewals=self._renewals,
                              seconds=seconds)


class _BatchProgress:
    """Per-item callbacks that add up to one batch-wide report (one bar for the batch)."""

    def __init__(self, progress: Any, payloads: list[Payload]) -> None:
        self._lock = threading.Lock()
        self._sent = [0] * len(payloads)
        self._total = sum(p.size for p in payloads)
        self._reporter = make_reporter(progress, f"{len(payloads)} files")

    def for_item(self, index: int) -> Any:
        if self._reporter is None:
            return False

        def report(done: int, total: int, phase: str = "sending") -> None:
            if phase != "sending":
                return
            assert self._reporter is not None
            with self._lock:
                self._sent[index] = done
                self._reporter("sending", sum(self._sent), self._total)

        return report

    def close(self) -> None:
        if self._reporter is not None and hasattr(self._reporter, "close"):
            self._reporter.close()
