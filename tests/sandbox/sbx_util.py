"""Plain-client helpers for the sandbox tests: boto3 for Q Apps, raw multipart for S3."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Iterable, Iterator
from typing import Any

import requests
from botocore.config import Config

from qapps_nb.sandbox import Sandbox


def b64sha256(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


_clients: dict[tuple[str, int], Any] = {}


def client(sb: Sandbox, retries: int = 0) -> Any:
    """A plain boto3 qapps client (cached: creating one is slow); no retries unless asked."""
    key = (sb.endpoint_url, retries)
    if key not in _clients:
        config = Config(retries={"mode": "standard", "total_max_attempts": retries + 1})
        _clients[key] = sb.client(config=config)
    return _clients[key]


def presign(sb: Sandbox, data: bytes = b"hello", *, file_name: str = "hello.txt",
            qapps: Any = None, **overrides: Any) -> dict[str, Any]:
    """create_presigned_url with the demo ids; ``qapps`` = the client to use."""
    params: dict[str, Any] = {
        "instanceId": sb.instance_id, "appId": sb.app_id, "cardId": sb.card_id,
        "fileContentsSha256": b64sha256(data), "fileName": file_name, "scope": "APPLICATION"}
    params.update(overrides)
    return (qapps or client(sb)).create_presigned_url(**params)


SESSION_ENDS = ("COMPLETED", "ERROR")


def wait_session(sb: Sandbox, session_id: str, *, until: Iterable[str] = SESSION_ENDS,
                 timeout: float = 10) -> dict[str, Any]:
    """GetQAppSession (plain boto3) until the status is one of ``until`` or ``timeout``
    seconds pass; the last answer."""
    wanted = set(until)
    deadline = time.monotonic() + timeout
    while True:
        got = dict(client(sb).get_q_app_session(instanceId=sb.instance_id,
                                                sessionId=session_id))
        if got["status"] in wanted or time.monotonic() > deadline:
            return got
        time.sleep(0.02)


Part = tuple[str, bytes | str, str | None]  # (name, value, filename or None)


def multipart(parts: Iterable[Part], boundary: str | None = None) -> tuple[bytes, str]:
    """A form body exactly as given (order, duplicates, parts after the file)."""
    boundary = boundary or "sbx" + secrets.token_hex(12)
    out = bytearray()
    for name, value, filename in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        out += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode()
        if filename is not None:
            out += b"Content-Type: application/octet-stream\r\n"
        out += b"\r\n" + (value.encode() if isinstance(value, str) else value) + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def form_parts(fields: dict[str, str], data: bytes, file_name: str = "hello.txt") -> list[Part]:
    return [*((k, v, None) for k, v in fields.items()), ("file", data, file_name)]


def post(url: str, parts: Iterable[Part], **kwargs: Any) -> requests.Response:
    body, ctype = multipart(parts)
    kwargs.setdefault("timeout", 30)
    return requests.post(url, data=body, headers={"Content-Type": ctype}, **kwargs)


def upload(sb: Sandbox, data: bytes = b"hello",
           **presign_kw: Any) -> tuple[dict[str, Any], requests.Response]:
    r = presign(sb, data, **presign_kw)
    resp = post(r["presignedUrl"], form_parts(r["presignedUrlFields"], data))
    return r, resp


def s3_code(resp: requests.Response) -> str | None:
    import xml.etree.ElementTree as ET

    if not resp.content:
        return None
    return ET.fromstring(resp.content).findtext("Code")


def s3_message(resp: requests.Response) -> str:
    import xml.etree.ElementTree as ET

    return ET.fromstring(resp.content).findtext("Message") or ""


class SizedBody:
    """An iterable body with ``__len__``: requests then sends Content-Length and no
    Transfer-Encoding (a bare generator gets ``Transfer-Encoding: chunked``, which S3
    refuses with 501 even next to an explicit Content-Length)."""

    def __init__(self, head: bytes, chunk: bytes, count: int, tail: bytes) -> None:
        self.head, self.chunk, self.count, self.tail = head, chunk, count, tail

    def __len__(self) -> int:
        return len(self.head) + len(self.chunk) * self.count + len(self.tail)

    def __iter__(self) -> Iterator[bytes]:
        yield self.head
        for _ in range(self.count):
            yield self.chunk
        yield self.tail


def streamed_body(fields: dict[str, str], chunk: bytes, count: int,
                  file_name: str = "big.bin") -> tuple[SizedBody, str]:
    """A streamed body (fields, then ``count`` x ``chunk`` as the file) and its type."""
    head, ctype = multipart([(k, v, None) for k, v in fields.items()])
    boundary = ctype.split("boundary=")[1]
    head = head[: -len(f"--{boundary}--\r\n")]
    head += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
             f'filename="{file_name}"\r\n\r\n').encode()
    return SizedBody(head, chunk, count, f"\r\n--{boundary}--\r\n".encode()), ctype
