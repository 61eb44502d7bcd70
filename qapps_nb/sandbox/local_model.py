"""The sandbox's stand-in for the LLM behind q-query cards: deterministic, local, honest.

An answer is the card's prompt with each ``@<cardId>`` mention replaced by what that
card holds, followed by one line per input saying which value reached which card. A
text value is used as is; a file gives its name, size and SHA-256 and, for text and CSV
files, a short real summary (lines, columns, the first row). No network, no ML: the
same inputs always give the same answer, so tests can assert on it.
"""

from __future__ import annotations

import base64
import codecs
import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .store import StoredObject

HEADER = "[sandbox local model: a deterministic stand-in, not an AI answer]"
HEAD_BYTES = 1 << 20
"""Bytes read to tell text from binary and find the first lines."""
COUNT_BYTES = 64 << 20
"""Lines are counted in at most this many bytes (a 5 GB file would take too long)."""
INLINE_CHARS = 200
SUMMARY_CHARS = 160


@dataclass(frozen=True)
class Held:
    """What one referenced card holds when a q-query card runs."""

    card_id: str
    title: str
    card_type: str
    text: str | None = None
    """A text input's value, or an upstream q-query card's answer."""
    file_id: str | None = None
    file: StoredObject | None = None
    """The stored upload behind ``file_id`` (None when it is no longer stored)."""


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _cut(text: str, limit: int) -> str:
    """One line: whitespace runs become one space, then clipped."""
    return _clip(" ".join(text.split()), limit)


def _inline(held: Held) -> str:
    if held.card_type == "file-upload":
        name = held.file.file_name if held.file else held.file_id
        return f"[{held.title}: file {name}]"
    if held.card_type in ("q-query", "q-plugin"):
        return f"[{held.title}: the answer of card {held.card_id}]"
    return f"[{held.title}: {_clip(held.text or '', INLINE_CHARS)}]"


def expand(prompt: str, inputs: Sequence[Held]) -> str:
    """The prompt with every mention of an input replaced by what it holds."""
    out = prompt
    for held in inputs:
        out = out.replace(f"@{held.card_id}", _inline(held))
    return out


def answer(title: str, prompt: str, inputs: Sequence[Held]) -> str:
    """The currentValue of a completed q-query card titled ``title``."""
    lines = [HEADER, f"{title} was asked: {expand(prompt, inputs)}"]
    if inputs:
        lines.append("Inputs received:")
    for held in inputs:
        lines.append(f"- {held.title} ({held.card_type} {held.card_id}) <- {_describe(held)}")
    return "\n".join(lines)


def _describe(held: Held) -> str:
    if held.card_type == "file-upload":
        if held.file is None:
            return f"file {held.file_id} (no longer stored in the sandbox)"
        return describe_file(held.file)
    if held.card_type in ("q-query", "q-plugin"):
        first = (held.text or "").splitlines()[1:2] or [""]
        return f"its answer ({_cut(first[0], SUMMARY_CHARS)})"
    return f'"{_cut(held.text or "", INLINE_CHARS)}"'


def describe_file(obj: StoredObject) -> str:
    """Name, size, SHA-256 and, for text and CSV, a short summary of a stored upload."""
    digest = base64.b64decode(obj.sha256).hex()
    head = f"file {obj.file_name}, {obj.size:,} bytes, SHA-256 {digest}"
    try:
        summary = summarize(obj.path, obj.file_name)
    except OSError:
        summary = "its bytes are no longer stored"
    return f"{head}; {summary}"


def summarize(path: Path, name: str) -> str:
    """``CSV, 3 columns (a, b, c), 101 lines; first row: 1, 2, 3`` or a text/binary note."""
    with path.open("rb") as f:
        head = f.read(HEAD_BYTES)
    text = _as_text(head)
    if text is None:
        return "binary data"
    lines, complete = _count_lines(path)
    counted = f"{lines:,} line{'' if lines == 1 else 's'}"
    if not complete:
        counted = f"at least {counted}"
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if suffix in ("csv", "tsv"):
        return _csv_summary(text, "\t" if suffix == "tsv" else ",", counted)
    first = next((line for line in text.splitlines() if line.strip()), "")
    return f"text, {counted}; first line: \"{_cut(first, SUMMARY_CHARS)}\""


def _as_text(head: bytes) -> str | None:
    if b"\0" in head:
        return None
    try:
        return codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError:
        return None


def _count_lines(path: Path) -> tuple[int, bool]:
    count = 0
    read = 0
    last = b"\n"
    with path.open("rb") as f:
        while read < COUNT_BYTES:
            chunk = f.read(min(1 << 20, COUNT_BYTES - read))
            if not chunk:
                return count + (last != b"\n"), True
            count += chunk.count(b"\n")
            read += len(chunk)
            last = chunk[-1:]
        complete = not f.read(1)
    return count + (complete and last != b"\n"), complete


def _csv_summary(text: str, delimiter: str, counted: str) -> str:
    rows = csv.reader(io.StringIO(text[:HEAD_BYTES]), delimiter=delimiter)
    try:
        header = next(rows, [])
        first = next(rows, None)
    except csv.Error as exc:
        return f"text that does not parse as CSV ({exc}), {counted}"
    columns = ", ".join(header)
    out = f"CSV, {len(header)} columns ({_cut(columns, SUMMARY_CHARS)}), {counted}"
    if first is not None:
        out += f"; first row: {_cut(', '.join(first), SUMMARY_CHARS)}"
    return out
