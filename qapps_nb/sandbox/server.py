"""The HTTP server: one loopback port, HTTP/1.1 keep-alive, routing by path prefix.

``/_sandbox/...`` is control, ``/s3/<bucket>`` is the S3 side, everything else is the
Q Apps API. Every request is logged; the ``Date`` header follows the (skewable)
sandbox clock because clients judge URL expiry by it.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import logging
import secrets
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from . import control, qapps_api
from .errors import ApiError, S3Error
from .faults import api_fault_error
from .records import RequestRecord, Service
from .s3_post import Outcome, handle_post
from .state import SandboxState

log = logging.getLogger("qapps_nb.sandbox")
request_log = logging.getLogger("qapps_nb.sandbox.requests")
"""One INFO line per request answered (the CLI shows them on stderr)."""
MAX_API_BODY = 1 << 20
SOCKET_TIMEOUT = 120.0  # a stalled client does not hold a thread forever


class SandboxHTTPServer(ThreadingHTTPServer):
    """Threaded server bound to 127.0.0.1 that can close its open connections on stop."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, state: SandboxState, port: int = 0) -> None:
        self.state = state
        self._connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), SandboxHandler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._conn_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._conn_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Hang up on keep-alive and in-flight connections (their threads then end)."""
        with self._conn_lock:
            conns = list(self._connections)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("connection error from %s", client_address, exc_info=True)


class SandboxHandler(BaseHTTPRequestHandler):
    """Routes one request to the control, S3 or Q Apps side and logs it."""

    protocol_version = "HTTP/1.1"
    server_version = "QAppsSandbox/1.0"
    sys_version = ""
    timeout = SOCKET_TIMEOUT
    server: SandboxHTTPServer
    request_id = ""
    _service: Service = "qapps"
    _path = ""
    _logged = False
    _fault: str | None = None
    _operation: str | None = None
    _started = 0.0

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    # -- plumbing -------------------------------------------------------------------------
    def date_time_string(self, timestamp: float | None = None) -> str:
        moment = self.server.state.timestamp() if timestamp is None else timestamp
        return email.utils.formatdate(moment, usegmt=True)

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def send_answer(self, status: int, headers: dict[str, str], body: bytes | Path = b"",
                    code: str | None = None) -> None:
        """Log the request, then send a complete response (a Path body via sendfile).

        Logging first means a client that got its answer always finds it in the log.
        """
        self.record(status, code)
        self.send_response(status)
        if self._service == "s3":
            self.send_header("x-amz-request-id", self.request_id)
            self.send_header("x-amz-id-2", self.request_id.lower())
        else:
            self.send_header("x-amzn-RequestId", self.request_id)
        self.send_header("x-qapps-sandbox", "true")
        for name, value in headers.items():
            self.send_header(name, value)
        size = body.stat().st_size if isinstance(body, Path) else len(body)
        if status != 204:
            self.send_header("Content-Length", str(size))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD" or status == 204:
            return
        if isinstance(body, Path):
            with body.open("rb") as f:
                self.connection.sendfile(f)
        else:
            self.wfile.write(body)

    def _read_small_body(self) -> bytes:
        """The whole body of an API or control request (small by nature)."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True
            raise ApiError(411, "LengthRequiredException", "Content-Length is required.")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_API_BODY:
            self.close_connection = True
            raise ApiError(413, "ValidationException", "Request body is too large.")
        return self.rfile.read(length) if length else b""

    # -- dispatch -------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_GET

    def record(self, status: int, code: str | None) -> None:
        """Append this request to the log (once; before the client can see an answer)."""
        if self._logged:
            return
        self._logged = True
        state = self.server.state
        record = RequestRecord(
            service=self._service, method=self.command, path=self._path, status=status,
            code=code, time=state.now(), request_id=self.request_id, fault=self._fault,
            operation=self._operation, duration=time.monotonic() - self._started)
        state.log.append(record)
        if request_log.isEnabledFor(logging.INFO):
            request_log.info("%s", record.log_line())

    def _dispatch(self) -> None:
        state = self.server.state
        self.request_id = secrets.token_hex(8).upper()
        self._logged = False
        self._fault = None
        self._operation = None
        self._started = time.monotonic()
        url = urlsplit(self.path)
        path = self._path = url.path
        if path == control.PREFIX or path.startswith(control.PREFIX + "/"):
            self._service = "control"
        elif path == "/s3" or path.startswith("/s3/"):
            self._service = "s3"
        else:
            self._service = "qapps"
        try:
            if self._service == "control":
                outcome = self._control(state, path, url.query)
            elif self._service == "s3":
                outcome = self._s3(state, path)
            else:
                outcome = self._qapps(state, path, url.query)
        except Exception:
            log.exception("sandbox handler failed on %s %s", self.command, self.path)
            self.close_connection = True
            outcome = Outcome(500, "SandboxError")
            with contextlib.suppress(OSError):
                self.send_answer(500, {"Content-Type": "text/plain"}, b"sandbox internal error",
                                 code=outcome.code)
        self.record(outcome.status, outcome.code)  # when no answer was sent (reset...)

    def _control(self, state: SandboxState, path: str, query: str) -> Outcome:
        try:
            raw = self._read_small_body()
        except ApiError as err:
            self.send_answer(err.status, {"Content-Type": "application/json"},
                             json.dumps({"error": err.message}).encode(), code=err.code)
            return Outcome(err.status, err.code)
        answer = control.handle(state, self.command, unquote(path), raw,
                                accept=self.headers.get("Accept", ""),
                                query=parse_qs(query))
        code = None if answer.status < 400 else "ControlError"
        self.send_answer(answer.status, {"Content-Type": answer.content_type}, answer.body,
                         code=code)
        return Outcome(answer.status, code)

    def _s3(self, state: SandboxState, path: str) -> Outcome:
        state.pause(state.settings.s3_latency)
        parts = [p for p in path.split("/") if p]
        if self.command != "POST" or len(parts) != 2:
            self._read_small_body_or_close()
            err = S3Error(405, "MethodNotAllowed", "The sandbox S3 endpoint only takes "
                          "POST Object to /s3/<bucket>.")
            self.send_answer(err.status, {"Content-Type": err.content_type},
                             err.body(self.request_id), code=err.code)
            return Outcome(err.status, err.code)
        fault = state.faults.take("s3")
        self._fault = fault.kind if fault else None
        return handle_post(state, self, parts[1], fault)

    def _read_small_body_or_close(self) -> None:
        try:
            self._read_small_body()
        except ApiError:
            self.close_connection = True

    def _qapps(self, state: SandboxState, path: str, query: str) -> Outcome:
        state.pause(state.settings.api_latency)
        headers = {"Content-Type": "application/json"}
        fault = None
        try:
            raw = self._read_small_body()
            qapps_api.check_auth(self.headers)
            spec = qapps_api.operation_for(self.command, path)
            self._operation = spec.name
            fault = state.faults.take("qapps", spec.name)
            self._fault = fault.kind if fault else None
            error = api_fault_error(fault, spec.name) if fault else None
            if error is not None:
                raise error
            parsed = qapps_api.parse_body(raw) if spec.method != "GET" else {}
            request = qapps_api.ApiRequest(self.command, path, self.headers, parsed, fault)
            response = qapps_api.dispatch(state, spec, request,
                                          parse_qs(query, keep_blank_values=True))
        except ApiError as err:
            self.send_answer(err.status, {**headers, **err.all_headers()},
                             err.body(self.request_id), code=err.code)
            return Outcome(err.status, err.code)
        body = json.dumps(response.body).encode()
        self.send_answer(response.status, {**headers, **response.headers}, body)
        return Outcome(response.status)
