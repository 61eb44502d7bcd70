"""POST the bytes to S3 with a presigned form: streamed, length-known, retried when transient.

The body is a fresh iterable for every attempt, because a consumed stream cannot be sent
again: every presigned field in order, then the file last (S3 ignores fields after the
file), with an explicit Content-Length (S3 refuses chunked bodies) and large reads, so
requests keeps up with ``curl -F``. Retries follow the shared pacing rules of
``pacing.py``: all uploads to one S3 endpoint back off together.
"""

from __future__ import annotations

import logging
import socket
import struct
import threading
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Mapping
from typing import Any, cast

import requests
import requests.adapters

from . import pacing
from .errors import S3UploadError, UploadCancelled
from .payload import CHUNK_SIZE, Payload
from .service.presign import Presigned

log = logging.getLogger("qapps_nb")

DEFAULT_TIMEOUT = (30.0, 300.0)
"""(connect, read). urllib3 also uses the connect timeout while sending: keep it generous."""
TRANSIENT_CODES = frozenset({"InternalError", "ServiceUnavailable", "SlowDown",
                             "RequestTimeout", "RequestTimeTooSkewed"})

_local = threading.local()


class UrlExpired(Exception):
    """S3 said the policy expired (or it is about to): ask Q Apps for a new URL."""


class _AbortingAdapter(requests.adapters.HTTPAdapter):
    """Sockets that close with a reset (SO_LINGER 0), not a polite FIN.

    A connection is only ever closed by us mid-request (timeout, interrupt, cancel) or
    after its answer was read. A polite close would still deliver the queued rest of the
    body, so a server that was slow to read could store an upload we reported as failed.
    """

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        from urllib3.connection import HTTPConnection

        kwargs["socket_options"] = [*HTTPConnection.default_socket_options,
                                    (socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))]
        super().init_poolmanager(*args, **kwargs)


def http_session() -> requests.Session:
    """One requests session per thread: pooled connections, no shared mutable state."""
    session = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        for prefix in ("http://", "https://"):
            session.mount(prefix, _AbortingAdapter())
        _local.session = session
    return session


class MultipartBody:
    """A re-creatable ``multipart/form-data`` body: fields, then the file, then the end.

    It has ``__len__`` so requests sends a Content-Length (S3 refuses chunked bodies) and
    ``__iter__`` so urllib3 sends our large chunks as they are, without copying.
    """

    def __init__(self, fields: Mapping[str, str], payload: Payload, *,
                 on_sent: Callable[[int], None] | None = None,
                 cancel: threading.Event | None = None, chunk_size: int = CHUNK_SIZE) -> None:
        self.boundary = f"----qapps-nb-{uuid.uuid4().hex}"
        self._head = self._encode_head(fields, payload.name)
        self._tail = f"\r\n--{self.boundary}--\r\n".encode()
        self._payload = payload
        self._on_sent = on_sent
        self._cancel = cancel
        self._chunk = chunk_size

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def _encode_head(self, fields: Mapping[str, str], file_name: str) -> bytes:
        parts = []
        for name, value in fields.items():
            parts.append(f'--{self.boundary}\r\nContent-Disposition: form-data; '
                         f'name="{_quote(name)}"\r\n\r\n{value}\r\n')
        parts.append(f'--{self.boundary}\r\nContent-Disposition: form-data; name="file"; '
                     f'filename="{_quote(file_name)}"\r\n'
                     "Content-Type: application/octet-stream\r\n\r\n")
        return "".join(parts).encode("utf-8")

    def __len__(self) -> int:
        return len(self._head) + self._payload.size + len(self._tail)

    def __iter__(self) -> Iterator[bytes | memoryview]:
        yield self._head
        sent = 0
        for chunk in self._payload.chunks(self._chunk):
            if self._cancel is not None and self._cancel.is_set():
                raise UploadCancelled("upload cancelled; nothing was stored")
            yield chunk
            sent += len(chunk)
            if self._on_sent:
                self._on_sent(sent)
        if sent != self._payload.size:
            raise S3UploadError(
                f"{self._payload.label} changed size after it was hashed",
                code="BadDigest", hint="the data changed while uploading; upload it again")
        if self._cancel is not None and self._cancel.is_set():  # no tail: S3 stores nothing
            raise UploadCancelled("upload cancelled; nothing was stored")
        yield self._tail


def _quote(value: str) -> str:
    """Form-data names as browsers write them: quotes and line breaks percent-encoded."""
    return value.replace("\r", "%0D").replace("\n", "%0A").replace('"', "%22")


def post(presigned: Presigned, payload: Payload, *, progress: Callable[[int, int], None] | None,
         cancel: threading.Event | None = None, timeout: Any = None,
         tries: pacing.Tries | None = None) -> int:
    """Send until S3 stores the object; return the attempts this call made.

    ``tries`` counts a file's attempts across calls (a renewed URL continues the count).
    Raises :class:`UrlExpired` when a new presigned URL is needed, :class:`S3UploadError`
    with S3's code otherwise (after the pacer's give-up rules, with the attempt count).
    """
    tries = tries if tries is not None else pacing.Tries()
    before = tries.count
    timeout = timeout or DEFAULT_TIMEOUT
    pacer = pacing.pacer_for("s3", _origin(presigned.url))
    while True:
        if presigned.expired():
            raise UrlExpired()
        try:
            started = pacer.before_attempt(tries, cancel)
        except pacing.GiveUp as stop:
            code = stop.code or "ServiceUnavailable"
            raise S3UploadError(f"S3 upload of {payload.name} {stop.reason}", code=code,
                                hint=_S3_HINTS.get(code, "try again later")) from None
        if progress:
            progress(0, payload.size)
        body = MultipartBody(presigned.fields, payload, cancel=cancel,
                             on_sent=(lambda n: progress(n, payload.size)) if progress else None)
        retry_after = None
        try:
            response = http_session().post(
                presigned.url, data=cast(Any, body), timeout=timeout,  # stubs: bytes only
                headers={"Content-Type": body.content_type}, allow_redirects=False)
        except (UploadCancelled, S3UploadError):
            raise
        except requests.Timeout:
            error = S3UploadError("S3 did not answer in time", code="Timeout",
                                  hint="the network or S3 is slow; try again (or raise timeout=)")
        except requests.ConnectionError as exc:
            error = S3UploadError(f"the connection to S3 broke ({_reason(exc)})",
                                  code="ConnectionError", hint="check the network and try again")
        else:
            if response.status_code in (200, 201, 204):
                pacer.succeeded()
                return tries.count - before
            error = _s3_error(response)
            if error.code == "AccessDenied" and "expired" in error.message.lower():
                raise UrlExpired()
            if not _transient(response.status_code, error.code):
                raise error
            retry_after = pacing.retry_after(response.headers.get("Retry-After"))
        pacer.failed(tries, started, error.code, retry_after)
        if cancel is not None and cancel.is_set():
            raise UploadCancelled("upload cancelled; nothing was stored")
        reason = pacer.give_up_reason(tries)
        if reason is not None:
            raise S3UploadError(f"{error.message}; {reason}", code=error.code, hint=error.hint,
                                status=error.status)
        log.info("S3 upload of %s: attempt %d failed (%s); retrying", payload.name,
                 tries.count, error.code)


def _origin(url: str) -> str:
    """scheme://host:port — what one S3 pacer covers."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _transient(status: int, code: str | None) -> bool:
    return status >= 500 or code in TRANSIENT_CODES


_S3_HINTS = {
    "BadDigest": "the data changed between hashing and sending; upload it again",
    "EntityTooLarge": "the file is larger than this Q App accepts",
    "EntityTooSmall": "the file is empty or smaller than this Q App accepts",
    "AccessDenied": "the presigned upload was refused; request a new one by uploading again",
    "SignatureDoesNotMatch": "the presigned fields were altered; upload again",
    "InvalidArgument": "the upload form was refused; upload again",
    "MissingContentLength": "the request had no Content-Length",
    "SlowDown": "S3 is throttling uploads; wait a moment and try again",
    "InternalError": "S3 had an internal error; try again",
    "RequestTimeout": "the upload was too slow; check the network and try again",
}


def _s3_error(response: requests.Response) -> S3UploadError:
    code, message = _parse_error_xml(response.content)
    code = code or f"HTTP{response.status_code}"
    text = "S3 refused the upload" + (f": {message.rstrip('.')}" if message else
                                      f" (HTTP {response.status_code})")
    return S3UploadError(text, code=code, hint=_S3_HINTS.get(code), status=response.status_code)


def _parse_error_xml(body: bytes) -> tuple[str | None, str]:
    if not body:
        return None, ""
    try:
        root = ET.fromstring(body[:65536])  # noqa: S314 - S3's own error document, size-capped
    except ET.ParseError:
        return None, ""
    return root.findtext("Code"), (root.findtext("Message") or "").strip()


def _reason(exc: Exception) -> str:
    text = str(exc)
    for marker in ("Connection reset", "Broken pipe", "Connection refused", "Connection aborted",
                   "RemoteDisconnected", "timed out"):
        if marker.lower() in text.lower():
            return marker.lower()
    return type(exc).__name__
