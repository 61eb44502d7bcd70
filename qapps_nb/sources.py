"""Turn anything a notebook holds into a :class:`Payload`: exact bytes, size, name and SHA-256.

Data is serialized once, hashed as it is written, and kept (in memory when small, in a
temporary file when large) so that the bytes sent are exactly the bytes hashed. Files on
disk are streamed, never read whole. A plain ``str`` is always a path, as with ``open()``;
text content is wrapped in :class:`Text` so neither case surprises anybody.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import stat
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from .errors import ValidationError
from .filehash import sha256_file
from .validation import check_file_name

CHUNK_SIZE = 4 * 1024 * 1024
"""Read size for hashing and sending: large reads are what make Python keep up (REFERENCE §3)."""
SPILL_SIZE = 8 * 1024 * 1024
"""Serialized data above this goes to a temporary file instead of staying in memory."""

Progress = Callable[[int, int], None]


def b64_sha256(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


@dataclass(frozen=True)
class Text:
    """Text content to upload (a plain ``str`` would be taken as a path)."""

    content: str
    encoding: str = "utf-8"


class Payload:
    """Exactly the bytes to send, with their size, name and Base64 SHA-256.

    Either in memory (``data``) or in a file (``path``); ``owned`` files are temporary
    spools that :meth:`close` deletes. ``chunks()`` can be called again for every retry.
    """

    def __init__(self, *, name: str, size: int, sha256: str | None, label: str,
                 data: bytes | memoryview | None = None, path: Path | None = None,
                 owned: bool = False) -> None:
        self.name = name
        self.size = size
        self.sha256 = sha256
        self.label = label
        self.data = data
        self.path = path
        self.owned = owned

    @classmethod
    def from_path(cls, path: str | os.PathLike[str], *, name: str | None = None,
                  sha256: str | None = None, size: int | None = None,
                  owned: bool = False) -> Payload:
        """A file on disk; ``sha256`` when already known (a spool hashed as it was written)."""
        p = Path(path)
        return cls(name=name or p.name, size=p.stat().st_size if size is None else size,
                   sha256=sha256, label=str(p), path=p, owned=owned)

    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview, *, name: str = "data.bin",
                   label: str | None = None) -> Payload:
        view = memoryview(data).cast("B")
        return cls(name=name, size=view.nbytes, sha256=b64_sha256(hashlib.sha256(view).digest()),
                   label=label or name, data=view)

    def chunks(self, chunk_size: int = CHUNK_SIZE) -> Iterator[memoryview]:
        """Yield the bytes in order; each yielded view is valid until the next one."""
        if self.data is not None:
            view = memoryview(self.data)
            for start in range(0, len(view), chunk_size):
                yield view[start:start + chunk_size]
            return
        assert self.path is not None
        buffer = bytearray(chunk_size)
        view = memoryview(buffer)
        with open(self.path, "rb", buffering=0) as fh:
            while n := fh.readinto(buffer):
                yield view[:n]

    def ensure_hashed(self, progress: Progress | None = None) -> str:
        """Hash once (files are streamed); later calls return the stored digest."""
        if self.sha256 is None:
            if progress:
                progress(0, self.size)
            if self.data is not None:  # in memory: one call, no copy
                view = memoryview(self.data).cast("B")
                raw, done = hashlib.sha256(view).digest(), view.nbytes
                if progress:
                    progress(done, self.size)
            else:  # on disk: reads overlap the hash (filehash)
                assert self.path is not None
                raw, done = sha256_file(self.path, self.size, progress)
            if done != self.size:
                raise ValidationError(f"{self.label} changed size while it was read; try again")
            self.sha256 = b64_sha256(raw)
        return self.sha256

    def close(self) -> None:
        """Delete an owned spool; harmless to call twice."""
        if self.owned and self.path is not None:
            self.path.unlink(missing_ok=True)
            self.owned = False

    def __enter__(self) -> Payload:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Payload {self.name!r} {self.size} bytes from {self.label}>"


class Sha256Writer(io.RawIOBase):
    """A write-only binary stream that hashes as it goes and spills to disk when large.

    Serializers (pandas, polars, json) and the widget's chunk receiver write into it;
    :meth:`finish` hands back a :class:`Payload` of exactly what was written.
    """

    def __init__(self, name: str, *, label: str | None = None, spill_size: int = SPILL_SIZE,
                 directory: str | None = None) -> None:
        super().__init__()
        self.file_name = name
        self.label = label or name
        self._digest = hashlib.sha256()
        self._memory: io.BytesIO | None = io.BytesIO()
        self._file: BinaryIO | None = None
        self._path: Path | None = None
        self._spill = spill_size
        self._dir = directory
        self._size = 0

    def writable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._size

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        self._digest.update(view)
        self._size += view.nbytes
        if self._memory is not None:
            self._memory.write(view)
            if self._memory.tell() > self._spill:
                fd, name = tempfile.mkstemp(prefix="qapps-nb-", suffix=".spool", dir=self._dir)
                self._path = Path(name)
                self._file = os.fdopen(fd, "wb")
                self._file.write(self._memory.getbuffer())
                self._memory = None
        else:
            assert self._file is not None
            self._file.write(view)
        return view.nbytes

    def finish(self) -> Payload:
        sha = b64_sha256(self._digest.digest())
        if self._memory is not None:
            data = self._memory.getvalue()
            self._memory = None
            super().close()
            return Payload(name=self.file_name, size=len(data), sha256=sha, label=self.label,
                           data=data)
        assert self._file is not None
        assert self._path is not None
        self._file.close()
        super().close()
        return Payload(name=self.file_name, size=self._size, sha256=sha, label=self.label,
                       path=self._path, owned=True)

    def discard(self) -> None:
        """Drop everything written (a cancelled or failed transfer); no file is left behind."""
        self._memory = None
        if self._file is not None:
            self._file.close()
        if self._path is not None:
            self._path.unlink(missing_ok=True)
        super().close()


def default_extension(value: Any) -> str:
    """The extension a variable's default file name gets: ``<variable>.<ext>``."""
    if isinstance(value, (Text, str)):
        return ".txt"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return ".bin"
    if _dataframe_kind(value):
        return ".csv"
    if isinstance(value, (dict, list, tuple)) and not _is_upload_entry(value):
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
    kind = _dataframe_kind(source)
    if kind:
        return _from_dataframe(source, kind, file_name or "dataframe.csv")
    if _is_upload_entry(source):
        name = file_name or str(source["name"])
        return Payload.from_bytes(source["content"], name=check_file_name(name),
                                  label=str(source["name"]))
    if _is_file_upload_widget(source):
        entries = list(source.value)
        if len(entries) != 1:
            raise ValidationError(
                f"the FileUpload widget holds {len(entries)} files; upload() takes one "
                "(use upload_many for several, or pick a file first)"
            )
        return prepare(entries[0], file_name)
    if isinstance(source, (dict, list, tuple)):
        return _from_json(source, file_name or "data.json")
    if hasattr(source, "read"):
        return _from_stream(source, file_name)
    raise ValidationError(
        f"cannot upload a {type(source).__name__}: give a path, bytes, qapps_nb.Text, a "
        "DataFrame, a dict/list, a binary file object or an ipywidgets.FileUpload"
    )


def expand(sources: Any) -> list[Any]:
    """Sources for ``upload_many``: a FileUpload widget stands for each file it holds."""
    if _is_file_upload_widget(sources):
        return list(sources.value)
    if isinstance(sources, (str, os.PathLike, bytes, Text)) or _dataframe_kind(sources):
        raise ValidationError("upload_many takes a list of sources; use upload() for one")
    out: list[Any] = []
    for source in sources:
        out.extend(source.value if _is_file_upload_widget(source) else [source])
    return out


def describe(source: Any) -> str:
    """A short label for error messages, never the data itself."""
    if isinstance(source, Payload):
        return source.label
    if isinstance(source, (str, os.PathLike)):
        return shown_path(os.fspath(source))
    if _is_upload_entry(source):
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


def _from_json(value: Any, name: str) -> Payload:
    writer = Sha256Writer(name, label=type(value).__name__)
    text = io.TextIOWrapper(writer, encoding="utf-8", write_through=True)
    try:
        json.dump(value, text, ensure_ascii=False, default=_json_default)
        text.flush()
    except (TypeError, ValueError) as exc:
        writer.discard()
        raise ValidationError(f"cannot serialize this {type(value).__name__} as JSON: {exc}") \
            from None
    text.detach()
    return writer.finish()


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _dataframe_kind(value: Any) -> str | None:
    module = type(value).__module__ or ""
    if type(value).__name__ == "DataFrame":
        if module.startswith("pandas"):
            return "pandas"
        if module.startswith("polars"):
            return "polars"
    return None


_FORMATS: Mapping[str, str] = {".csv": "csv", ".json": "json", ".parquet": "parquet",
                               ".xlsx": "excel", ".txt": "csv", ".tsv": "tsv"}


def _from_dataframe(frame: Any, kind: str, name: str) -> Payload:
    """Serialize by the name's extension; the index is kept only when it carries data."""
    fmt = _FORMATS.get(Path(name).suffix.lower(), "csv")
    writer = Sha256Writer(name, label=f"{kind} DataFrame")
    try:
        if kind == "pandas":
            _write_pandas(frame, fmt, writer)
        else:
            _write_polars(frame, fmt, writer)
    except ImportError as exc:
        writer.discard()
        extra = {"parquet": "parquet", "excel": "excel"}.get(fmt, "data")
        raise ValidationError(f"cannot write {name}: {exc.name or exc} is not installed "
                              f"(pip install 'qapps-nb[{extra}]')") from None
    except BaseException:
        writer.discard()
        raise
    return writer.finish()


def _write_pandas(frame: Any, fmt: str, out: Sha256Writer) -> None:
    import pandas as pd

    keep_index = not (isinstance(frame.index, pd.RangeIndex) and frame.index.name is None)
    if fmt in ("csv", "tsv"):
        frame.to_csv(out, index=keep_index, sep="\t" if fmt == "tsv" else ",", encoding="utf-8")
    elif fmt == "json":
        text = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
        data = frame.reset_index() if keep_index else frame
        data.to_json(text, orient="records", date_format="iso", force_ascii=False)
        text.flush()
        text.detach()
    elif fmt == "parquet":
        frame.to_parquet(out, index=keep_index or None)
    else:
        frame.to_excel(out, index=keep_index)


def _write_polars(frame: Any, fmt: str, out: Sha256Writer) -> None:
    if fmt in ("csv", "tsv"):
        frame.write_csv(out, separator="\t" if fmt == "tsv" else ",")
    elif fmt == "json":
        frame.write_json(out)
    elif fmt == "parquet":
        frame.write_parquet(out)
    else:
        frame.write_excel(out)


def _is_upload_entry(value: Any) -> bool:
    return (isinstance(value, Mapping) and "name" in value
            and isinstance(value.get("content"), (bytes, memoryview, bytearray)))


def _is_file_upload_widget(value: Any) -> bool:
    return type(value).__name__ == "FileUpload" and hasattr(value, "value") and \
        type(value).__module__.startswith("ipywidgets")
