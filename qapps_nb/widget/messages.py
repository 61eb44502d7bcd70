"""Error lines in the widget's own terms.

The pipeline's one-line errors end with what to do *in Python or the magic*: "pass
region=/--region", "lower max_workers", "raise timeout=". A widget row has none of those
options; it has fields (Instance ID, App, Card, Session), a scope, an Upload button, and the
arguments ``UploadWidget(...)`` was made with. This module rewrites the "what to do" part
so a row never tells the user to pass an option the widget does not have.
"""

from __future__ import annotations

import re

from ..errors import QAppsError

FIELDS = {"instance_id": "fill in the Instance ID field", "session_id": "fill in the Session ID "
          "field", "app_id": "pick the app", "card_id": "pick the card", "app": "pick the app",
          "card": "pick the card", "scope": "choose the scope"}
"""Settings the widget shows as fields: what to do with each."""
ARGUMENTS = ("session", "profile", "region", "endpoint_url")
"""Settings the widget takes only when it is made: ``UploadWidget(region=...)``."""

_OPTION = r"(?:=?\s*/\s*--[a-z-]+|=)(?:\s*\(magic:\s*--[a-z-]+\))?"
_PASS = re.compile(rf"\bpass ([a-z_]+){_OPTION}(?:\s+or\s+([a-z_]+){_OPTION})?")
_BARE = re.compile(rf"(?<![(\w])({'|'.join(ARGUMENTS)}){_OPTION}")
_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r",?\s*or lower max_workers(?:\s*/\s*--max-workers)?"), ""),
    (re.compile(r"\blower max_workers(?:\s*/\s*--max-workers)?"), "upload fewer files at once"),
    (re.compile(r"\s*\((?:or )?raise timeout=[^)]*\)"), ""),
    (re.compile(r"\bmax_workers(?:\s*/\s*--max-workers)?"), "fewer files at once"),
    (re.compile(r"\bdrop attach=True(?:\s*/\s*--attach)?"),
     "untick \"Make it the card's default file\""),
)


def _advice(name: str) -> str:
    return FIELDS.get(name) or f"make the widget with UploadWidget({name}=...)"


def _pass(match: re.Match[str]) -> str:
    first, second = match.group(1), match.group(2)
    if second and first not in FIELDS and second not in FIELDS:
        return f"make the widget with UploadWidget({first}=...) or ({second}=...)"
    return f"{_advice(first)} or {_advice(second)}" if second else _advice(first)


def for_widget(exc: BaseException) -> str:
    """One line for a widget row: what failed, the code, and what to do *here*."""
    if not isinstance(exc, QAppsError):
        return f"unexpected error: {type(exc).__name__}: {exc}"[:300]
    text = str(exc)
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    text = _PASS.sub(_pass, text)
    text = _BARE.sub(lambda m: f"UploadWidget({m.group(1)}=...)", text)
    return text.strip(" ,;")


_UPLOADED_BUT = re.compile(r"^uploaded .+? \(fileId [\w-]+\), but (?:could not )?")
_IS_UPLOADED = re.compile(r";?\s*the file IS uploaded: fileId [\w-]+")


def attach_note(exc: BaseException) -> str:
    """Why a stored file did not become the card's default, for under its row.

    The row already shows the file as stored with its fileId, so the parts of the message
    that say so are dropped.
    """
    text = _IS_UPLOADED.sub("", _UPLOADED_BUT.sub("", for_widget(exc)))
    return f"not made the card's default: {text}"
