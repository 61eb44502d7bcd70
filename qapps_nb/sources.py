"""Turn anything a notebook holds into a :class:`Payload`: exact bytes, size, name and SHA-256.

Data is serialized once, hashed as it is written, and kept (in memory when small, in a
temporary file when large) so that the bytes sent are exactly the bytes hashed. Files on
disk are streamed, never read whole. A plain ``str`` is always a path, as with ``open()``;
text content is wrapped in :class:`Text` so neither case surprises anybody.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ValidationError
from .payload import CHUNK_SIZE, Payload, Sha256Writer
from .serialize import dataframe_kind, from_dataframe, from_json
from .validation import check_file_name

__all__ = ["CHUNK_SIZE", "Payload", "Sha256Writer", "Text", "default_extension", "describe",
           "expand", "prepare"]


@dataclass(frozen=True)
class Text:
    """Text content to upload (a plain ``str`` would be taken as a path)."""

    content: str
    encoding: str = "utf-8"


def default_extension(value: Any) -> str:
    """The extension a variable's default file name gets: ``<variable>.<ext>``."""
    if isinstance(value, (Text, str)):
        return ".txt"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return ".bin"
    if dataframe_kind(value):
        return ".csv"
    if isinstance(value, (dict, list, tuple)) and not is_upload_entry(value):
        return ".json"
    return ""


def prepare(source: Any, file_name: str | None = None) -> Payload:
    """Resolve one source into a hashed-or-hashable :class:`Payload`, raising clear errors.

    Paths are checked here but hashed later (with progress) by ``Payload.ensure_hashed``.
    """
    if file_name is not None:
        check_file_name(file_name)
    if isinstance(source, Payload):
        if file_name:
            source.name = file_name
        return source
    if isinstance(source, (str, os.PathLike)):
        return _from_path(source, file_name)
    if isinstance(source, Text):
        return Payload.from_bytes(source.content.encode(source.encoding),
                                  name=file_name or "text.txt", label="text")
    if isinstance(source, (bytes, bytearray, memoryview)):
        return Payload.from_bytes(source, name=file_name or "data.bin", label="bytes")
    kind = dataframe_kind(source)
    if kind:
        return from_dataframe(source, kind, file_name or "dataframe.csv")
    if is_upload_entry(source):
        name = file_name or str(source["name"])
        return Payload.from_bytes(source["content"], name=check_file_name(name),
                                  label=str(source["name"]))
    if is_file_upload_widget(source):
        entries = list(source.value)
        if len(entries) != 1:
            raise ValidationError(
                f"the FileUpload widget holds {len(entries)} files; upload() takes one "
                "(use upload_many for several, or pick a file first)"
            )
        return prepare(entries[0], file_name)
    if isinstance(source, (dict, list, tuple)):
        return from_json(source, file_name or "data.json")
    if hasattr(source, "read"):
        return _from_stream(source, file_name)
    raise ValidationError(
        f"cannot upload a {type(source).__name__}: give a path, bytes, qapps_nb.Text, a "
        "DataFrame, a dict/list, a binary file object or an ipywidgets.FileUpload"
    )


def expand(sources: Any) -> list[Any]:
    """Sources for ``upload_many``: a FileUpload widget stands for each file it holds."""
    if is_file_upload_widget(sources):
        return list(sources.value)
    if isinstance(sources, (str, os.PathLike, bytes, Text)) or dataframe_kind(sources):
        raise ValidationError("upload_many takes a list of sources; use upload() for one")
    out: list[Any] = []
    for source in sources:
        out.extend(source.value if is_file_upload_widget(source) else [source])
    return out


def describe(source: Any) -> str:
    """A short label for error messages, never the data itself."""
    if isinstance(source, Payload):
        return source.label
    if isinstance(source, (str, os.PathLike)):
        return shown_path(os.fspath(source))
    if is_upload_entry(source):
        return str(source["name"])
    if hasattr(source, "name") and isinstance(source.name, str):
        return source.name
    return type(source).__name__


def _from_path(source: str | os.PathLike[str], file_name: str | None) -> Payload:
    raw = os.fspath(source)
    if isinstance(source, str) and ("\n" in raw or len(raw) > 4096):
        raise ValidationError(
            "a str source is a path, and this one looks like text: wrap text content in "
            "qapps_nb.Text(...)"
        )
    shown = shown_path(raw)
    path = Path(raw).expanduser()
    try:
        info = path.stat()
    except FileNotFoundError:
        hint = " (to upload this string as text, pass qapps_nb.Text(...))" if isinstance(
            source, str) else ""
        raise ValidationError(f"no such file: {shown}{hint}") from None
    except OSError as exc:
        raise ValidationError(f"cannot read {shown}: {exc.strerror}") from None
    except ValueError:  # "embedded null byte": no file can have this name
        raise ValidationError(f"{shown} is not a valid path") from None
    if stat.S_ISDIR(info.st_mode):
        raise ValidationError(
            f"{shown} is a directory; give a file (or a glob pattern in the magic)")
    if not stat.S_ISREG(info.st_mode):
        raise ValidationError(f"{shown} is not a regular file (a pipe or device cannot be "
                              "hashed and sent twice)")
    if not os.access(path, os.R_OK):
        raise ValidationError(f"cannot read {shown}: permission denied")
    return Payload(name=file_name or path.name, size=info.st_size, sha256=None, label=shown,
                   path=path)


def shown_path(raw: str | bytes) -> str:
    """A path as error messages show it: as is, or quoted and escaped when it holds line
    breaks, control characters or undecodable bytes (messages stay one printable line)."""
    text = os.fsdecode(raw)
    return text if text.isprintable() else repr(text)


def _from_stream(stream: Any, file_name: str | None) -> Payload:
    name = file_name or (Path(stream.name).name if isinstance(getattr(stream, "name", None), str)
                         else "data.bin")
    check_file_name(name)
    writer = Sha256Writer(name, label=describe(stream))
    try:
        while chunk := stream.read(CHUNK_SIZE):
            if isinstance(chunk, str):
                raise ValidationError(f"{describe(stream)} is open in text mode; open it with 'rb'")
            writer.write(chunk)
    except BaseException:
        writer.discard()
        raise
    return writer.finish()


def is_upload_entry(value: Any) -> bool:
    return (isinstance(value, Mapping) and "name" in value
            and isinstance(value.get("content"), (bytes, memoryview, bytearray)))


def is_file_upload_widget(value: Any) -> bool:
    return type(value).__name__ == "FileUpload" and hasattr(value, "value") and \
        type(value).__module__.startswith("ipywidgets")
