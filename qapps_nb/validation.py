"""Checks every input the API would refuse, before any network call.

botocore checks only required fields and minimum lengths on the client; the UUID patterns
and the 100-character name limit are in the service model but enforced by the server,
which answers a ``ValidationException``. Checking here gives a clearer message and costs
no round trip.

Sizes are decimal everywhere (kB, MB, GB as ``format_size`` writes them): S3 takes at most
5 GB in one POST, and Amazon Q Business documents 10 MB per file.
"""

from __future__ import annotations

import re
import unicodedata

from .errors import ValidationError
from .result import format_size

UUID_PATTERN = re.compile(
    r"[\da-f]{8}-[\da-f]{4}-[45][\da-f]{3}-[89ABab][\da-f]{3}-[\da-f]{12}",
    re.ASCII,  # the service's \d is [0-9]; Python's would also take '٣' or '３'
)
SCOPES = ("APPLICATION", "SESSION")
MAX_FILE_NAME = 100
MAX_UPLOAD_BYTES = 5 * 1000**3
"""S3 refuses a POST above 5 GB (5,000,000,000 bytes)."""
WARN_UPLOAD_BYTES = 10 * 1000**2
"""Amazon Q Business takes at most 10 MB (10,000,000 bytes) per file; larger files may not
be usable in the app."""


def check_instance_id(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("instance id is empty: give the Amazon Q Business instance id")
    if any(unicodedata.category(ch) == "Cc" for ch in value) or value != value.strip():
        raise ValidationError(f"instance id {value!r} has spaces or control characters")
    return value


def check_uuid(value: object, what: str) -> str:
    """An app, card or session id: a version-4/5 UUID in lowercase hex, as the model says."""
    if not isinstance(value, str) or not value:
        raise ValidationError(f"{what} is empty: give the {what} (a UUID)")
    if not UUID_PATTERN.fullmatch(value):
        shown = value if len(value) <= 60 else value[:57] + "..."
        raise ValidationError(
            f"{what} {shown!r} is not a Q Apps id: expected a UUID like "
            "'1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d'"
        )
    return value


def check_file_name(name: object) -> str:
    """1–100 characters, no path separators, no control characters."""
    if not isinstance(name, str):
        raise ValidationError(f"file name must be a string, not {type(name).__name__}")
    if not name.strip():
        raise ValidationError("file name is empty: give a name such as 'report.csv'")
    if len(name) > MAX_FILE_NAME:
        raise ValidationError(
            f"file name is {len(name)} characters; Q Apps takes at most {MAX_FILE_NAME}"
        )
    if "/" in name or "\\" in name:
        raise ValidationError(f"file name {name!r} contains a path separator; give a bare name")
    if name in (".", ".."):
        raise ValidationError(f"file name {name!r} is not a file name")
    bad = [ch for ch in name if unicodedata.category(ch) in ("Cc", "Cs")]
    if bad:
        raise ValidationError(f"file name {name!r} contains control characters")
    return name


def check_scope(scope: object, session_id: str | None) -> str:
    """Upper-cased scope; SESSION needs a session id and APPLICATION must not get one."""
    if not isinstance(scope, str) or scope.strip().upper() not in SCOPES:
        raise ValidationError(f"scope {scope!r} is not one of: application, session")
    normalized = scope.strip().upper()
    if normalized == "SESSION" and not session_id:
        raise ValidationError("scope SESSION needs a session id (the Q App session to attach to)")
    if normalized == "APPLICATION" and session_id:
        raise ValidationError(
            "a session id was given with scope APPLICATION: use scope SESSION, "
            "or drop the session id"
        )
    return normalized


def check_size(size: int, label: str) -> None:
    if size <= 0:
        raise ValidationError(f"{label} is empty: there is nothing to upload")
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError(f"{label} is {shown_over(size, MAX_UPLOAD_BYTES)}; S3 takes at "
                              f"most {format_size(MAX_UPLOAD_BYTES, exact=True)} in one upload")


def size_notice(size: int, label: str) -> str | None:
    """The line shown for a file above Amazon Q Business' 10 MB, or None."""
    if size <= WARN_UPLOAD_BYTES:
        return None
    return (f"{label} is {shown_over(size, WARN_UPLOAD_BYTES)}; Amazon Q Business takes files "
            f"of at most {format_size(WARN_UPLOAD_BYTES, exact=True)}, so the app may not be "
            "able to use it (uploading it anyway)")


def shown_over(size: int, limit: int) -> str:
    """A size above ``limit``, in bytes when rounding would make it read as the limit."""
    shown = format_size(size)
    if shown == format_size(limit) or shown == format_size(limit, exact=True):
        return f"{size:,} bytes"
    return shown
