"""What ``%qapps_upload SOURCE`` means: a notebook variable, else a path or glob pattern.

Everything is turned into a :class:`qapps_nb.sources.Payload` here, before any network
call, so a typo, a missing file or an unserializable value never reaches AWS and several
sources fail together rather than half-way through a batch.
"""

from __future__ import annotations

import glob
import keyword
import os
import re
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import ValidationError

_GLOB_CHARS = re.compile(r"[*?[]")


def _from_variable(token: str, value: Any) -> list[tuple[str, Any, str | None]]:
    """(label, source, default name) for one variable; a FileUpload yields each of its files."""
    from .. import sources

    if sources.is_file_upload_widget(value):
        value = tuple(value.value)
        if not value:
            raise ValidationError(f"the FileUpload {token!r} holds no files: pick a file first")
    if (isinstance(value, (list, tuple)) and value
            and all(sources.is_upload_entry(v) for v in value)):
        return [(str(entry["name"]), entry, None) for entry in value]
    if isinstance(value, str):
        return [(token, sources.Text(value), f"{token}.txt")]
    ext = sources.default_extension(value)
    return [(token, value, f"{token}{ext}" if ext else None)]


def _from_path(token: str) -> list[tuple[str, Any, str | None]]:
    from ..sources import shown_path

    expanded = os.path.expanduser(token)
    if os.path.lexists(expanded) or not _GLOB_CHARS.search(expanded):
        if not os.path.lexists(expanded):
            kind = "file or variable" if token.isidentifier() else "file"
            raise ValidationError(f"no such {kind}: {shown_path(token)}")
        return [(token, Path(expanded), None)]
    matches = [m for m in sorted(glob.glob(expanded, recursive=True)) if os.path.isfile(m)]
    if not matches:
        raise ValidationError(f"no files match {shown_path(token)}")
    return [(m, Path(m), None) for m in matches]


def resolve(tokens: list[str], user_ns: Mapping[str, Any]) -> list[tuple[str, Any, str | None]]:
    """Expand SOURCE tokens to ``(label, source, default file name or None)``, in order."""
    found: list[tuple[str, Any, str | None]] = []
    for index, token in enumerate(tokens):
        if token.isidentifier() and not keyword.iskeyword(token) and token in user_ns:
            found.extend(_from_variable(token, user_ns[token]))
            continue
        try:
            found.extend(_from_path(token))
        except ValidationError as exc:
            joined = _unquoted_path(tokens, index)
            if joined is None:
                raise
            raise ValidationError(exc.message, hint="quote a path with spaces: "
                                  f"%qapps_upload {_quote(joined)}") from None
    return found


def _unquoted_path(tokens: list[str], index: int) -> str | None:
    """The longest run of words from ``index`` on that names a file, when the words were
    split at spaces because the path was not quoted (``data/my data file.csv``)."""
    for end in range(len(tokens), index + 1, -1):
        joined = " ".join(tokens[index:end])
        if os.path.lexists(os.path.expanduser(joined)):
            return joined
    return None


def _quote(path: str) -> str:
    return f'"{path}"' if os.name == "nt" else shlex.quote(path)


def is_plural(tokens: list[str], user_ns: Mapping[str, Any]) -> bool:
    """Whether the user asked for several files: then the result is a list even if one matched.

    Several SOURCEs or a glob pattern give a list, so ``for r in %qapps_upload *.csv``
    works whatever the pattern matched; one variable or one path gives one result.
    """
    if len(tokens) != 1:
        return True
    token = tokens[0]
    if token.isidentifier() and token in user_ns:
        return False
    expanded = os.path.expanduser(token)
    return bool(_GLOB_CHARS.search(expanded)) and not os.path.lexists(expanded)


def prepare(tokens: list[str], user_ns: Mapping[str, Any], name: str | None) -> list[Any]:
    """Payloads for the tokens (``name`` overrides the file name of a single source)."""
    from .. import sources

    resolved = resolve(tokens, user_ns)
    if name is not None and len(resolved) != 1:
        raise ValidationError(f"--name needs exactly one file; the sources give {len(resolved)}")
    payloads: list[Any] = []
    try:
        for label, source, default_name in resolved:
            payload = sources.prepare(source, name or default_name)
            payload.label = label
            payloads.append(payload)
    except BaseException:
        for payload in payloads:
            payload.close()
        raise
    return payloads


def prepare_cell(body: str, name: str | None) -> Any:
    """The cell body as UTF-8 text, named ``cell.txt`` unless ``--name`` says otherwise."""
    from .. import sources

    payload = sources.prepare(sources.Text(body), name or "cell.txt")
    payload.label = "cell body"
    return payload
