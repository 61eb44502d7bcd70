"""A fast local endpoint that answers like Q Apps ``createPresignedUrl`` and like S3 POST.

It exists so the benchmarks measure *our* code, not a server: request heads are parsed
just enough to find ``Content-Length`` and the path, bodies are drained with large
``recv_into`` reads into one reused buffer and never parsed, and every upload gets
``204 No Content``. It binds 127.0.0.1 only and runs in its own process so its work
does not compete with the code under test for the GIL.

Run it alone with ``python -m benchmarks.sink [--latency SECONDS]``: it prints its base URL.
``GET /_stats`` returns ``{"requests": n, "body_bytes": n}`` so a benchmark can check that
every byte arrived.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

DRAIN_SIZE = 4 * 1024 * 1024
"""One large read per syscall: the sink must never be the bottleneck."""
HEAD_LIMIT = 64 * 1024
API_PATH = b"/apps.createPresignedUrl"
S3_PATH = "/qapps-bench-bucket"


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests = 0
        self.body_bytes = 0

    def add(self, body: int) -> None:
        with self.lock:
            self.requests += 1
            self.body_bytes += body


def presigned_answer(base_url: str, body: bytes) -> bytes:
    """A ``createPresignedUrl`` answer with fields shaped (and sized) like the real ones."""
    try:
        request = json.loads(body or b"{}")
    except ValueError:
        request = {}
    now = datetime.now(timezone.utc)
    expires = now + timedelta(minutes=15)
    file_id = str(uuid.uuid4())
    fields = {
        "key": f"qapps/{file_id}/{request.get('fileName', 'file')}",
        "x-amz-checksum-sha256": request.get("fileContentsSha256", ""),
        "x-amz-server-side-encryption": "aws:kms",
        "x-amz-algorithm": "AWS4-HMAC-SHA256",
        "x-amz-credential": f"ASIABENCH/{now:%Y%m%d}/us-east-1/s3/aws4_request",
        "x-amz-date": f"{now:%Y%m%dT%H%M%SZ}",
        "x-amz-security-token": base64.b64encode(secrets.token_bytes(600)).decode(),
        "policy": base64.b64encode(secrets.token_bytes(900)).decode(),
        "x-amz-signature": secrets.token_hex(32),
    }
    return json.dumps({
        "fileId": file_id,
        "presignedUrl": base_url + S3_PATH,
        "presignedUrlFields": fields,
        "presignedUrlExpiration": expires.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
    }).encode()


def _read_head(conn: socket.socket, pending: bytearray) -> bytes | None:
    """Bytes up to the blank line; anything after it stays in ``pending``."""
    while True:
        end = pending.find(b"\r\n\r\n")
        if end >= 0:
            head = bytes(pending[:end])
            del pending[:end + 4]
            return head
        if len(pending) > HEAD_LIMIT:
            return None
        data = conn.recv(65536)
        if not data:
            return None
        pending += data


def _drain(conn: socket.socket, pending: bytearray, length: int, buffer: memoryview,
           keep: bool) -> bytes:
    """Consume ``length`` body bytes; return them only when ``keep`` (small API bodies)."""
    kept = bytearray()
    take = min(len(pending), length)
    if keep:
        kept += pending[:take]
    del pending[:take]
    left = length - take
    while left > 0:
        n = conn.recv_into(buffer, min(left, len(buffer)))
        if n == 0:
            raise ConnectionError("client closed mid-body")
        if keep:
            kept += buffer[:n]
        left -= n
    return bytes(kept)


def serve_connection(conn: socket.socket, base_url: str, latency: float, stats: Stats) -> None:
    buffer = memoryview(bytearray(DRAIN_SIZE))
    pending = bytearray()
    with conn:
        while True:
            head = _read_head(conn, pending)
            if head is None:
                return
            lines = head.split(b"\r\n")
            method, path = lines[0].split(b" ")[:2]
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get(b"content-length", b"0"))
            if headers.get(b"expect", b"").lower() == b"100-continue":
                conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            is_api = path == API_PATH
            body = _drain(conn, pending, length, buffer, keep=is_api)
            stats.add(length)
            if latency:
                time.sleep(latency)
            if path == b"/_stats":
                payload = json.dumps({"requests": stats.requests,
                                      "body_bytes": stats.body_bytes}).encode()
                answer = _response(200, payload, "application/json")
            elif is_api:
                answer = _response(200, presigned_answer(base_url, body), "application/json")
            elif method == b"POST":
                answer = _response(204, b"", None)
            else:
                answer = _response(404, b"", None)
            conn.sendall(answer)
            if headers.get(b"connection", b"").lower() == b"close":
                return


def _response(status: int, body: bytes, content_type: str | None) -> bytes:
    reason = {200: "OK", 204: "No Content", 404: "Not Found"}[status]
    lines = [f"HTTP/1.1 {status} {reason}", "Server: qapps-bench-sink",
             f"x-amzn-RequestId: {uuid.uuid4()}", "Connection: keep-alive"]
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    if status != 204:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def serve(latency: float = 0.0, port: int = 0) -> None:
    """Accept forever on 127.0.0.1; one thread per connection (they are few and long-lived)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(256)
    base_url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    stats = Stats()
    print(base_url, flush=True)
    while True:
        conn, _ = listener.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=_guarded, args=(conn, base_url, latency, stats),
                         daemon=True).start()


def _guarded(conn: socket.socket, base_url: str, latency: float, stats: Stats) -> None:
    with contextlib.suppress(OSError, ConnectionError, ValueError):
        serve_connection(conn, base_url, latency, stats)


@contextlib.contextmanager
def running(latency: float = 0.0) -> Iterator[str]:
    """Start the sink in a child process; yield its base URL; stop it afterwards."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.sink", "--latency", str(latency)],
        stdout=subprocess.PIPE, text=True,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        if not url.startswith("http://127.0.0.1:"):
            raise RuntimeError("the benchmark sink did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def stats(url: str) -> dict[str, int]:
    """The sink's counters (requests and body bytes received so far)."""
    import urllib.request

    with urllib.request.urlopen(url + "/_stats", timeout=10) as response:
        return json.loads(response.read())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.0,
                        help="seconds to wait before answering each request")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        serve(args.latency, args.port)


if __name__ == "__main__":
    main()
