"""Every kind of SOURCE the magic takes, checked byte for byte in the sandbox."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from widget_comm import file_entry

from qapps_nb import Text, UploadResult


def one(outcome: Any) -> UploadResult:
    assert outcome.error is None, (outcome.error, outcome.err)
    assert isinstance(outcome.result, UploadResult)
    return outcome.result


@pytest.mark.parametrize(
    ("value", "name", "expected"),
    [
        (b"\x00\xffraw", "blob.bin", b"\x00\xffraw"),
        (bytearray(b"arr"), "blob.bin", b"arr"),
        (memoryview(b"view"), "blob.bin", b"view"),
        ("héllo\nwörld ✓", "blob.txt", "héllo\nwörld ✓".encode()),
        (Text("wrapped"), "blob.txt", b"wrapped"),
        ({"k": [1, 2], "é": None}, "blob.json",
         json.dumps({"k": [1, 2], "é": None}, ensure_ascii=False).encode()),
        ([1, "two", 3.5], "blob.json", b'[1, "two", 3.5]'),
    ],
    ids=["bytes", "bytearray", "memoryview", "str", "Text", "dict", "list"],
)
def test_variable_sources(sb: Any, ip: Any, run: Any, value: Any, name: str,
                          expected: bytes) -> None:
    ip.user_ns["blob"] = value
    result = one(run("%qapps_upload -q blob"))
    assert result.file_name == name
    assert sb.read_object(result.file_id) == expected
    assert result.app_id == sb.app_id
    assert result.card_id == sb.card_id


def test_pandas_dataframe_csv_and_by_extension(sb: Any, ip: Any, run: Any) -> None:
    pd = pytest.importorskip("pandas")
    ip.user_ns["sales"] = pd.DataFrame({"city": ["Oslo", "Zürich"], "n": [1, 2]})
    csv = one(run("%qapps_upload -q sales"))
    assert csv.file_name == "sales.csv"
    assert sb.read_object(csv.file_id) == "city,n\nOslo,1\nZürich,2\n".encode()
    as_json = one(run("%qapps_upload -q --name sales.json sales"))
    assert json.loads(sb.read_object(as_json.file_id)) == [
        {"city": "Oslo", "n": 1}, {"city": "Zürich", "n": 2}]
    parquet = one(run("%qapps_upload -q -n sales.parquet sales"))
    pytest.importorskip("pyarrow")
    back = pd.read_parquet(io.BytesIO(sb.read_object(parquet.file_id)))
    assert back.to_dict("list") == {"city": ["Oslo", "Zürich"], "n": [1, 2]}


def test_polars_dataframe(sb: Any, ip: Any, run: Any) -> None:
    pl = pytest.importorskip("polars")
    ip.user_ns["frame"] = pl.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    result = one(run("%qapps_upload -q frame"))
    assert result.file_name == "frame.csv"
    assert sb.read_object(result.file_id) == b"a,b\n1,x\n2,y\n"


def test_path_variable_keeps_the_file_name(sb: Any, ip: Any, run: Any, tmp_path: Path) -> None:
    path = tmp_path / "report 2024.bin"
    data = bytes(range(256)) * 5000
    path.write_bytes(data)
    ip.user_ns["report"] = path
    result = one(run("%qapps_upload -q report"))
    assert result.file_name == "report 2024.bin"
    assert sb.read_object(result.file_id) == data


def test_binary_file_object_variable(sb: Any, ip: Any, run: Any, tmp_path: Path) -> None:
    (tmp_path / "stream.dat").write_bytes(b"streamed bytes")
    ip.user_ns["fh"] = open(tmp_path / "stream.dat", "rb")  # noqa: SIM115
    try:
        result = one(run("%qapps_upload -q fh"))
    finally:
        ip.user_ns["fh"].close()
    assert result.file_name == "stream.dat"
    assert sb.read_object(result.file_id) == b"streamed bytes"


def test_file_path_relative_quoted_and_variable_expansion(sb: Any, ip: Any, run: Any,
                                                         tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("plain")
    (tmp_path / "my notes.md").write_text("spaced")
    assert sb.read_object(one(run("%qapps_upload -q notes.txt")).file_id) == b"plain"
    spaced = one(run('%qapps_upload -q "my notes.md"'))
    assert (spaced.file_name, sb.read_object(spaced.file_id)) == ("my notes.md", b"spaced")
    ip.user_ns["where"] = str(tmp_path / "notes.txt")
    expanded = one(run("%qapps_upload -q $where"))
    assert expanded.file_name == "notes.txt"
    braces = one(run("%qapps_upload -q '{where}'"))
    assert sb.read_object(braces.file_id) == b"plain"


def test_str_variable_is_text_even_if_it_looks_like_a_path(sb: Any, ip: Any, run: Any,
                                                           tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("file content")
    ip.user_ns["where"] = "notes.txt"
    result = one(run("%qapps_upload -q where"))
    assert (result.file_name, sb.read_object(result.file_id)) == ("where.txt", b"notes.txt")


def test_variable_wins_over_a_file_of_the_same_name(sb: Any, ip: Any, run: Any,
                                                   tmp_path: Path) -> None:
    (tmp_path / "data").write_bytes(b"from disk")
    ip.user_ns["data"] = b"from memory"
    assert sb.read_object(one(run("%qapps_upload -q data")).file_id) == b"from memory"
    assert sb.read_object(one(run("%qapps_upload -q ./data")).file_id) == b"from disk"


def test_glob_expands_sorted_and_recursive(sb: Any, run: Any, tmp_path: Path) -> None:
    for name in ("b.csv", "a.csv", "c.txt"):
        (tmp_path / name).write_text(name)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.csv").write_text("deep")
    outcome = run("%qapps_upload -q *.csv")
    assert outcome.error is None, outcome.err
    assert isinstance(outcome.result, list)
    assert [r.file_name for r in outcome.result] == ["a.csv", "b.csv"]
    assert [sb.read_object(r.file_id) for r in outcome.result] == [b"a.csv", b"b.csv"]
    deep = run("%qapps_upload -q **/*.csv")
    assert sorted(r.file_name for r in deep.result) == ["a.csv", "b.csv", "d.csv"]


def test_literal_brackets_are_a_file_not_a_pattern(sb: Any, run: Any, tmp_path: Path) -> None:
    (tmp_path / "run[1].log").write_text("bracketed")
    result = one(run("%qapps_upload -q 'run[1].log'"))
    assert (result.file_name, sb.read_object(result.file_id)) == ("run[1].log", b"bracketed")


def test_tilde_is_the_home_directory(sb: Any, run: Any, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    (home / "docs").mkdir(parents=True)
    (home / "docs" / "cv.pdf").write_bytes(b"%PDF-1.4 tiny")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path.parent)
    result = one(run("%qapps_upload -q ~/docs/cv.pdf"))
    assert (result.file_name, sb.read_object(result.file_id)) == ("cv.pdf", b"%PDF-1.4 tiny")
    many = run("%qapps_upload -q ~/docs/*.pdf")
    assert [r.file_name for r in many.result] == ["cv.pdf"]


def test_file_upload_widget_and_its_value(sb: Any, ip: Any, run: Any) -> None:
    widgets = pytest.importorskip("ipywidgets")
    picker = widgets.FileUpload(multiple=True)
    picker.value = (file_entry("one.csv", b"1,2\n"), file_entry("two.bin", b"\x02"))
    ip.user_ns["picker"] = picker
    both = run("%qapps_upload -q picker")
    assert [r.file_name for r in both.result] == ["one.csv", "two.bin"]
    assert [sb.read_object(r.file_id) for r in both.result] == [b"1,2\n", b"\x02"]
    ip.user_ns["picked"] = picker.value
    assert [r.file_name for r in run("%qapps_upload -q picked").result] == ["one.csv", "two.bin"]
    ip.user_ns["first"] = picker.value[0]
    entry = one(run("%qapps_upload -q --name renamed.csv first"))
    assert (entry.file_name, sb.read_object(entry.file_id)) == ("renamed.csv", b"1,2\n")


def test_empty_file_upload_widget_is_an_error(sb: Any, ip: Any, run: Any) -> None:
    widgets = pytest.importorskip("ipywidgets")
    ip.user_ns["picker"] = widgets.FileUpload()
    assert "holds no files" in run("%qapps_upload picker").usage_error
    assert sb.requests == []


def test_several_mixed_sources_in_order(sb: Any, ip: Any, run: Any, tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("file")
    ip.user_ns["raw"] = b"raw"
    ip.user_ns["meta"] = {"x": 1}
    outcome = run("%qapps_upload -q raw f.txt meta --max-workers 2")
    assert outcome.error is None, outcome.err
    assert [r.file_name for r in outcome.result] == ["raw.bin", "f.txt", "meta.json"]
    assert [sb.read_object(r.file_id) for r in outcome.result] == [b"raw", b"file", b'{"x": 1}']


def test_variables_inside_a_function_are_found(sb: Any, ip: Any, run: Any) -> None:
    outcome = run("def f():\n    local_blob = b'local'\n"
                  "    res = %qapps_upload -q local_blob\n    return res\nr = f()")
    assert outcome.error is None, outcome.err
    result = ip.user_ns["r"]
    assert (result.file_name, sb.read_object(result.file_id)) == ("local_blob.bin", b"local")
