"""Every DataFrame format the README lists works with its documented extra, and without
the library it needs fails in one line that names it, before anything is sent."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pytest

import qapps_nb
from qapps_nb.errors import ValidationError
from qapps_nb.serialize import _WRITERS

ROOT = Path(__file__).resolve().parents[2]
FORMATS = (".csv", ".tsv", ".json", ".parquet", ".xlsx")
ROWS = {"city": ["Oslo", "Zürich"], "units": [3, 5]}


def read_back(data: bytes, suffix: str) -> Any:
    buffer = io.BytesIO(data)
    if suffix == ".csv":
        return pd.read_csv(buffer)
    if suffix == ".tsv":
        return pd.read_csv(buffer, sep="\t")
    if suffix == ".json":
        return pd.read_json(buffer, orient="records")
    if suffix == ".parquet":
        return pd.read_parquet(buffer)
    return pd.read_excel(buffer)


@pytest.mark.parametrize("suffix", FORMATS)
@pytest.mark.parametrize("kind", ["pandas", "polars"])
def test_every_listed_format_round_trips(kind: str, suffix: str, target: dict[str, Any],
                                         qapps_sandbox: Any) -> None:
    frame = pd.DataFrame(ROWS) if kind == "pandas" else pl.DataFrame(ROWS)
    result = qapps_nb.upload(frame, file_name=f"cities{suffix}", **target)
    back = read_back(qapps_sandbox.read_object(result.file_id), suffix)
    assert back.to_dict("list") == ROWS


def test_readme_lists_exactly_these_formats() -> None:
    readme = (ROOT / "README.md").read_text()
    row = next(line for line in readme.splitlines() if line.startswith("| pandas / polars"))
    assert set(re.findall(r"`(\.\w+)`", row)) | {".csv"} == set(FORMATS)


def _extras() -> dict[str, list[str]]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10 (the floors run)
        from pip._vendor import tomli as tomllib
    with open(ROOT / "pyproject.toml", "rb") as f:
        extras: dict[str, list[str]] = tomllib.load(f)["project"]["optional-dependencies"]
    return {name: [re.split(r"[<>=\[ ]", r)[0].lower() for r in reqs]
            for name, reqs in extras.items()}


@pytest.mark.parametrize(("kind", "fmt"), sorted(_WRITERS))
def test_the_extra_named_in_the_message_installs_the_writer(kind: str, fmt: str) -> None:
    modules, extra = _WRITERS[(kind, fmt)]
    extras = _extras()
    assert kind in extras[extra]
    assert modules[0] in extras[extra]
    assert kind in extras["data"]
    assert modules[0] in extras["data"]


MISSING = [  # (library, file name, modules hidden, what the one line must say)
    ("pandas", "q3.parquet", ("pyarrow", "fastparquet"),
     "cannot write q3.parquet: pandas needs pyarrow to write Parquet files — pip install "
     "pyarrow (or pip install 'qapps-nb[parquet]')"),
    ("pandas", "q3.xlsx", ("xlsxwriter", "openpyxl"),
     "cannot write q3.xlsx: pandas needs xlsxwriter to write Excel files — pip install "
     "xlsxwriter (or pip install 'qapps-nb[excel]')"),
    ("polars", "q3.xlsx", ("xlsxwriter",),
     "cannot write q3.xlsx: polars needs xlsxwriter to write Excel files — pip install "
     "xlsxwriter (or pip install 'qapps-nb[polars]')"),
]


@pytest.mark.parametrize(("kind", "name", "hidden", "line"), MISSING,
                         ids=[f"{m[0]}-{m[1]}" for m in MISSING])
def test_a_missing_writer_is_one_line_and_sends_nothing(
        kind: str, name: str, hidden: tuple[str, ...], line: str, target: dict[str, Any],
        qapps_sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for module in hidden:  # as if not installed: find_spec and import both fail
        monkeypatch.setitem(sys.modules, module, None)
    frame = pd.DataFrame(ROWS) if kind == "pandas" else pl.DataFrame(ROWS)
    with pytest.raises(ValidationError) as caught:
        qapps_nb.upload(frame, file_name=name, **target)
    assert str(caught.value) == line
    assert qapps_sandbox.requests == []


def test_a_broken_writer_gives_its_first_line(target: dict[str, Any], qapps_sandbox: Any,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Installed but failing to import (say, built for another numpy): pandas' several
    lines become the first one."""
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setattr("qapps_nb.serialize._check_writer", lambda *a: None)
    with pytest.raises(ValidationError) as caught:
        qapps_nb.upload(pd.DataFrame(ROWS), file_name="q3.parquet", **target)
    message = str(caught.value)
    assert message.startswith("cannot write q3.parquet: ")
    assert "\n" not in message
    assert qapps_sandbox.requests == []


def test_the_magic_shows_the_same_line(run: Any, qapps_sandbox_env: Any,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "xlsxwriter", None)
    run("import polars as pl\nframe = pl.DataFrame({'a': [1]})")
    outcome = run("%qapps_upload -q --name q3.xlsx frame")
    assert outcome.usage_error.startswith("cannot write q3.xlsx: polars needs xlsxwriter")
    assert qapps_sandbox_env.requests == []
