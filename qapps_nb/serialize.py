"""Serialize notebook data (JSON-able objects, pandas and polars DataFrames) into a Payload.

Written once through a hashing writer, so the bytes hashed are the bytes sent. The format
follows the file name's extension; a DataFrame's index is kept only when it carries data.
"""

from __future__ import annotations

import importlib.util
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO, cast

from .errors import ValidationError
from .payload import Payload, Sha256Writer


def from_json(value: Any, name: str) -> Payload:
    writer = Sha256Writer(name, label=type(value).__name__)
    text = io.TextIOWrapper(cast(BinaryIO, writer), encoding="utf-8", write_through=True)
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


def dataframe_kind(value: Any) -> str | None:
    module = type(value).__module__ or ""
    if type(value).__name__ == "DataFrame":
        if module.startswith("pandas"):
            return "pandas"
        if module.startswith("polars"):
            return "polars"
    return None


_FORMATS: Mapping[str, str] = {".csv": "csv", ".json": "json", ".parquet": "parquet",
                               ".xlsx": "excel", ".txt": "csv", ".tsv": "tsv"}
_WRITERS: Mapping[tuple[str, str], tuple[tuple[str, ...], str]] = {
    ("pandas", "parquet"): (("pyarrow", "fastparquet"), "parquet"),
    ("pandas", "excel"): (("xlsxwriter", "openpyxl"), "excel"),
    ("polars", "excel"): (("xlsxwriter",), "polars"),
}
"""(library, format) → (modules that can write it, any one will do; the extra that has it).
CSV, TSV and JSON need nothing more; polars writes Parquet itself."""
_FORMAT_NAMES = {"parquet": "Parquet", "excel": "Excel"}


def from_dataframe(frame: Any, kind: str, name: str) -> Payload:
    """Serialize by the name's extension; the index is kept only when it carries data."""
    fmt = _FORMATS.get(Path(name).suffix.lower(), "csv")
    _check_writer(kind, fmt, name)
    writer = Sha256Writer(name, label=f"{kind} DataFrame")
    try:
        if kind == "pandas":
            _write_pandas(frame, fmt, writer)
        else:
            _write_polars(frame, fmt, writer)
    except ImportError as exc:  # installed but broken (a numpy mismatch...): its first line
        writer.discard()
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0].rstrip(".:")
        raise ValidationError(f"cannot write {name}: {first}") from None
    except BaseException:
        writer.discard()
        raise
    return writer.finish()


def _check_writer(kind: str, fmt: str, name: str) -> None:
    """One line naming the missing library, before anything is written (no 6-line pandas
    message): pandas needs pyarrow (or fastparquet) for Parquet and xlsxwriter (or
    openpyxl) for Excel; polars needs xlsxwriter for Excel."""
    modules, extra = _WRITERS.get((kind, fmt), ((), ""))
    if not modules or any(importlib.util.find_spec(m) is not None for m in modules):
        return
    raise ValidationError(
        f"cannot write {name}: {kind} needs {modules[0]} to write {_FORMAT_NAMES[fmt]} files",
        hint=f"pip install {modules[0]} (or pip install 'qapps-nb[{extra}]')")


def _write_pandas(frame: Any, fmt: str, out: Sha256Writer) -> None:
    import pandas as pd

    keep_index = not (isinstance(frame.index, pd.RangeIndex) and frame.index.name is None)
    if fmt in ("csv", "tsv"):
        frame.to_csv(out, index=keep_index, sep="\t" if fmt == "tsv" else ",", encoding="utf-8")
    elif fmt == "json":
        text = io.TextIOWrapper(cast(BinaryIO, out), encoding="utf-8", write_through=True)
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
    else:  # before polars 1.x wrote Excel to any binary file object, only to a BytesIO
        buffer = io.BytesIO()
        frame.write_excel(buffer)
        out.write(buffer.getbuffer())
