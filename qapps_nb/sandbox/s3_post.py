"""The S3 side: POST Object (browser-style form upload), as strict as S3.

The body is streamed through ``python_multipart``'s parser in 1 MiB reads; the ``file``
part goes straight into a hashed spool file, so memory stays flat for multi-GB bodies.
Fields must come before ``file``; the policy is checked when the file part starts;
parts after the file are ignored. A rejected body is still read to its end so the
client gets the XML error instead of a broken pipe.
"""

from __future__ import annotations

import contextlib
import io
import select
import socket
import struct
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import Message
from typing import Protocol
from urllib.parse import quote
from xml.sax.saxutils import escape

from python_multipart import MultipartParser
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header

from ..validation import MAX_UPLOAD_BYTES
from . import policy
from .errors import S3Error
from .faults import Fault, s3_fault_error
from .state import SandboxState
from .store import Spool

CHUNK = 1 << 20
MAX_PRE_DATA = 64 * 1024  # form fields before the file (S3 allows ~20 KB)
REQUIRED = ("x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature", "key")


class Exchange(Protocol):
    """What the S3 handler needs from the HTTP request handler."""

    rfile: io.BufferedIOBase
    headers: Message
    connection: socket.socket
    close_connection: bool
    request_id: str

    def record(self, status: int, code: str | None) -> None: ...

    def send_answer(self, status: int, headers: dict[str, str], body: bytes = b"",
                    code: str | None = None) -> None: ...


@dataclass
class Outcome:
    """How a request ended, for the request log (status 0 = connection reset)."""

    status: int
    code: str | None = None


class ClientGone(Exception):
    """The client closed the connection before sending Content-Length bytes."""


def _malformed(detail: str = "") -> S3Error:
    return S3Error(400, "MalformedPOSTRequest", "The body of your POST request is not "
                   "well-formed multipart/form-data." + (f" ({detail})" if detail else ""))


@contextlib.contextmanager
def _storage_errors() -> Iterator[None]:
    """A disk problem on our side (full, unwritable) is S3's 500 InternalError."""
    try:
        yield
    except OSError as exc:
        raise S3Error(500, "InternalError", f"The sandbox could not store the upload: "
                      f"{exc}") from exc


class _Form:
    """Parser callbacks: collect fields, check the policy, stream the file part."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.fields: dict[str, str] = {}
        self.phase = "fields"  # -> "file" -> "after"
        self.spool: Spool | None = None
        self.size_range: tuple[int, int] | None = None
        self._pre_data = 0
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._disposition = ""
        self._value = bytearray()
        self._in_part = False

    def callbacks(self) -> dict[str, Callable[..., None]]:
        return {
            "on_part_begin": self._part_begin, "on_header_field": self._header_field,
            "on_header_value": self._header_val, "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished, "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        }

    def _part_begin(self) -> None:
        self._disposition = ""
        self._value.clear()
        self._in_part = False

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_val(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        if self._header_name.strip().lower() == b"content-disposition":
            # latin-1 keeps the raw bytes: browsers send UTF-8 file names, and
            # parse_options_header re-encodes as latin-1 (UTF-8 text there raised)
            self._disposition = self._header_value.decode("latin-1")
        self._header_name.clear()
        self._header_value.clear()

    def _headers_finished(self) -> None:
        if self.phase != "fields":
            return  # S3 ignores everything after the file
        _, options = parse_options_header(self._disposition)
        name = options.get(b"name", b"").decode("utf-8", "replace").lower()
        if not name:
            raise _malformed("a part has no form field name")
        if name == "file":
            self.size_range = self._check_policy()
            with _storage_errors():
                self.spool = self.state.store.spool(self.size_range[1])
            self.phase = "file"
        else:
            self._in_part = True
            self._name = name

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self.phase == "file":
            assert self.spool is not None
            with _storage_errors():
                self.spool.write(memoryview(data)[start:end])
        elif self.phase == "fields" and self._in_part:
            self._pre_data += end - start
            if self._pre_data > MAX_PRE_DATA:
                raise S3Error(400, "MaxPostPreDataLengthExceeded", "Your POST request fields "
                              "preceeding the upload file was too large.")
            self._value += data[start:end]

    def _part_end(self) -> None:
        if self.phase == "file":
            assert self.spool is not None
            with _storage_errors():
                self.spool.close()
            self.phase = "after"
        elif self.phase == "fields" and self._in_part:
            if self._name in self.fields:
                raise S3Error(400, "InvalidArgument",
                              f"Form field {self._name!r} was given more than once.")
            self.fields[self._name] = self._value.decode("utf-8", "replace")
            self._in_part = False

    def _check_policy(self) -> tuple[int, int]:
        """All fields are known: check them as S3 does before it takes the file."""
        f = self.fields
        if "policy" not in f and "x-amz-signature" not in f:
            raise S3Error(403, "AccessDenied", "Access Denied")
        for name in ("policy", *REQUIRED):
            if name not in f:
                raise S3Error(400, "InvalidArgument", f"Bucket POST must contain a field named "
                              f"'{name}'.  If it is specified, please check the order of the "
                              "fields.", extra={"ArgumentName": name, "ArgumentValue": ""})
        if f["x-amz-algorithm"] != policy.ALGORITHM:
            raise S3Error(400, "InvalidArgument", "Only AWS4-HMAC-SHA256 is supported.",
                          extra={"ArgumentName": "x-amz-algorithm"})
        cred = f["x-amz-credential"].split("/")
        state = self.state
        if len(cred) != 5 or cred[3:] != ["s3", "aws4_request"]:
            raise S3Error(400, "AuthorizationQueryParametersError",
                          "Error parsing the X-Amz-Credential parameter.")
        if cred[0] != state.presign_access_key:
            raise S3Error(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided "
                          "does not exist in our records.", extra={"AWSAccessKeyId": cred[0]})
        if not policy.verify(f["policy"], f["x-amz-signature"], state.presign_secret,
                             cred[1], cred[2]):
            raise S3Error(403, "SignatureDoesNotMatch", "The request signature we calculated "
                          "does not match the signature you provided. Check your key and "
                          "signing method.")
        try:
            doc = policy.decode_policy(f["policy"])
        except ValueError as exc:
            raise S3Error(400, "InvalidPolicyDocument", str(exc)) from exc
        try:
            size_range = policy.check_form(doc, f, state.bucket, state.now())
        except policy.PolicyViolation as exc:
            raise S3Error(403, "AccessDenied", str(exc)) from exc
        return size_range or (0, MAX_UPLOAD_BYTES)

    def finish(self) -> Spool:
        """After the whole body: size range and checksum. Returns the checked spool."""
        if self.phase == "fields":
            raise S3Error(400, "InvalidArgument", "POST requires exactly one file upload per "
                          "request.", extra={"ArgumentName": "file", "ArgumentValue": "0"})
        if self.phase == "file":
            raise _malformed("the file part is not terminated by a boundary")
        spool = self.spool
        assert spool is not None
        assert self.size_range is not None  # set with the spool, by _check_policy
        low, high = self.size_range
        if spool.size > high:
            raise S3Error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum "
                          "allowed size", extra={"ProposedSize": spool.size,
                                                 "MaxSizeAllowed": high})
        if spool.size < low:
            raise S3Error(400, "EntityTooSmall", "Your proposed upload is smaller than the "
                          "minimum allowed size", extra={"ProposedSize": spool.size,
                                                         "MinSizeAllowed": low})
        expected = self.fields.get("x-amz-checksum-sha256")
        if expected is not None and expected != spool.digest_b64():
            raise S3Error(400, "BadDigest", "The SHA256 you specified did not match the "
                          "calculated checksum.")
        return spool

    def discard(self) -> None:
        if self.spool is not None:
            self.spool.discard()


def _read(rfile: io.BufferedIOBase, remaining: int) -> bytes:
    chunk = rfile.read(min(CHUNK, remaining))
    if not chunk:
        raise ClientGone
    return chunk


def _drain(ex: Exchange, remaining: int) -> None:
    """Read and drop the rest of the body so the client can read our answer."""
    while remaining > 0:
        remaining -= len(_read(ex.rfile, remaining))


def _hang_up(ex: Exchange, limit: int, seconds: float = 10.0) -> None:
    """Lingering close after an answer: stop sending, read and drop what the client still
    sends (up to ``limit`` bytes), so it reads our answer instead of a connection reset."""
    ex.close_connection = True
    sock = ex.connection
    deadline = time.monotonic() + seconds
    with contextlib.suppress(OSError, ValueError):
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(1.0)
        while limit > 0 and time.monotonic() < deadline:
            chunk = ex.rfile.read1(CHUNK)
            if not chunk:
                break
            limit -= len(chunk)


def _reset(ex: Exchange, length: int, fault: Fault) -> Outcome:
    """Read part of the body, then abort the connection with a TCP RST."""
    after = int(fault.number("after", min(length // 2, 256 * 1024), "after_bytes"))
    with contextlib.suppress(ClientGone, OSError):
        _drain(ex, min(after, length))
    ex.record(0, "ConnectionReset")
    sock = ex.connection
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    fd = sock.detach()  # close the fd itself, whatever makefile() objects still exist
    socket.close(fd)
    ex.close_connection = True
    return Outcome(0, "ConnectionReset")


def _stall(state: SandboxState, ex: Exchange, seconds: float) -> None:
    """Read nothing for ``seconds``; give up early if the client hangs up (as S3 would)."""
    deadline = time.monotonic() + seconds
    poller = select.poll()
    hangup = select.POLLHUP | getattr(select, "POLLRDHUP", 0)
    poller.register(ex.connection, hangup)
    while (left := deadline - time.monotonic()) > 0 and not state.stopping.is_set():
        if any(mask & hangup for _, mask in poller.poll(min(left, 0.05) * 1000)):
            raise ClientGone


def _content_length(ex: Exchange) -> int:
    """The body length. S3 takes no chunked bodies: a ``Transfer-Encoding`` header gets
    501 even next to a Content-Length (requests sends both for a generator body)."""
    if ex.headers.get("Transfer-Encoding") is not None:
        raise S3Error(501, "NotImplemented", "A header you provided implies functionality "
                      "that is not implemented", extra={"Header": "Transfer-Encoding"})
    raw = ex.headers.get("Content-Length")
    if raw is None:
        raise S3Error(411, "MissingContentLength",
                      "You must provide the Content-Length HTTP header.")
    try:
        length = int(raw)
    except ValueError:
        length = -1
    if length < 0:
        raise S3Error(400, "InvalidArgument", "Content-Length is not a valid number.")
    return length


def _boundary(ex: Exchange) -> bytes:
    ctype, options = parse_options_header(ex.headers.get("Content-Type", ""))
    boundary = options.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise S3Error(412, "PreconditionFailed", "Bucket POST must be of the enclosure-type "
                      "multipart/form-data", extra={"Condition": "Bucket POST must be of the "
                                                    "enclosure-type-multipart/form-data"})
    return boundary


def handle_post(state: SandboxState, ex: Exchange, bucket: str, fault: Fault | None) -> Outcome:
    """Answer one POST Object request; the response is sent here."""
    try:
        length = _content_length(ex)
    except S3Error as err:
        ex.close_connection = True  # the body cannot be delimited: hang up after answering
        outcome = _answer_error(ex, err)
        raw = ex.headers.get("Content-Length", "")
        _hang_up(ex, int(raw) if raw.isdigit() else 64 * CHUNK)
        return outcome
    try:
        if fault is not None and fault.kind == "reset":
            return _reset(ex, length, fault)
        if fault is not None and fault.kind == "slow_reader":
            _stall(state, ex, fault.number("delay", 5.0, "seconds"))
        early = s3_fault_error(fault) if fault is not None else None
        if early is None and bucket != state.bucket:
            early = S3Error(404, "NoSuchBucket", "The specified bucket does not exist",
                            extra={"BucketName": bucket})
        if early is None:
            try:
                boundary = _boundary(ex)
            except S3Error as err:
                early = err
        if early is not None:
            _drain(ex, length)
            return _answer_error(ex, early)
        return _upload(state, ex, bucket, length, boundary)
    except (ClientGone, ConnectionError, TimeoutError):
        ex.close_connection = True
        return Outcome(499, "ClientDisconnected")


def _upload(state: SandboxState, ex: Exchange, bucket: str, length: int,
            boundary: bytes) -> Outcome:
    form = _Form(state)
    parser = MultipartParser(boundary, callbacks=form.callbacks())  # type: ignore[arg-type]
    error: S3Error | None = None
    parsing = True
    remaining = length
    try:
        while remaining > 0:
            chunk = _read(ex.rfile, remaining)
            remaining -= len(chunk)
            if not parsing:
                continue  # draining: rejected already, or past the file (ignored, as S3)
            try:
                parser.write(chunk)
            except S3Error as err:
                error, parsing = err, False
            except FormParserError as exc:
                parsing = False
                if form.phase != "after":
                    error = _malformed(str(exc))
            if form.phase == "after":
                parsing = False
        if error is None:
            spool = form.finish()
            obj = state.store.commit(form.fields["key"], spool, state.now())
            return _answer_success(state, ex, bucket, form.fields, obj.key, obj.etag,
                                   obj.sha256)
    except S3Error as err:
        error = err
    finally:
        form.discard()  # no-op after a commit (the spool was renamed into place)
    assert error is not None
    return _answer_error(ex, error)


def _answer_error(ex: Exchange, err: S3Error) -> Outcome:
    headers = {"Content-Type": err.content_type, **err.headers}
    ex.send_answer(err.status, headers, err.body(ex.request_id), code=err.code)
    return Outcome(err.status, err.code)


def _answer_success(state: SandboxState, ex: Exchange, bucket: str, fields: dict[str, str],
                    key: str, etag: str, sha256: str) -> Outcome:
    location = f"{state.s3_url}/{quote(key)}"
    headers = {"ETag": etag, "Location": location, "x-amz-checksum-sha256": sha256,
               "x-amz-server-side-encryption": "aws:kms"}
    kms = fields.get("x-amz-server-side-encryption-aws-kms-key-id")
    if kms:
        headers["x-amz-server-side-encryption-aws-kms-key-id"] = kms
    wanted = fields.get("success_action_status", "204")
    if wanted == "201":
        xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse>'
               f"<Location>{escape(location)}</Location><Bucket>{escape(bucket)}</Bucket>"
               f"<Key>{escape(key)}</Key><ETag>{escape(etag)}</ETag></PostResponse>")
        ex.send_answer(201, {**headers, "Content-Type": "application/xml"}, xml.encode())
        return Outcome(201)
    status = 200 if wanted == "200" else 204
    ex.send_answer(status, headers)
    return Outcome(status)
