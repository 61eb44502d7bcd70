"""Error responses in the exact shapes clients parse: rest-json for Q Apps, XML for S3.

botocore reads the Q Apps error code from ``x-amzn-ErrorType`` and the message from
the JSON body; S3 clients parse ``<Error><Code/><Message/>``. Handlers raise these
and the server renders them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from xml.sax.saxutils import escape


class SandboxHTTPError(Exception):
    """An error answer: status, AWS error code, one-line message, extra headers and fields."""

    content_type = "application/octet-stream"

    def __init__(self, status: int, code: str, message: str, *,
                 headers: Mapping[str, str] | None = None,
                 extra: Mapping[str, object] | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers: dict[str, str] = dict(headers or {})
        self.extra = dict(extra or {})

    def body(self, request_id: str) -> bytes:
        raise NotImplementedError


class ApiError(SandboxHTTPError):
    """A Q Apps (rest-json) error."""

    content_type = "application/json"

    def body(self, request_id: str) -> bytes:
        return json.dumps({"message": self.message, **self.extra}).encode()

    def all_headers(self) -> dict[str, str]:
        return {"x-amzn-ErrorType": self.code, **self.headers}


class S3Error(SandboxHTTPError):
    """An S3 XML error; ``extra`` adds elements such as ``MaxSizeAllowed``."""

    content_type = "application/xml"

    def body(self, request_id: str) -> bytes:
        parts = [f"<Code>{escape(self.code)}</Code>", f"<Message>{escape(self.message)}</Message>"]
        parts += [f"<{k}>{escape(str(v))}</{k}>" for k, v in self.extra.items()]
        parts.append(f"<RequestId>{escape(request_id)}</RequestId>")
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<Error>'
                + "".join(parts) + "</Error>").encode()


def validation_error(problems: list[str]) -> ApiError:
    """One ValidationException listing every problem, worded like AWS does."""
    count = len(problems)
    head = f"{count} validation error{'s' if count != 1 else ''} detected: "
    return ApiError(400, "ValidationException", head + "; ".join(problems))
