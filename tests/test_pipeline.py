"""The upload pipeline end to end against the sandbox, over real HTTP."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

import qapps_nb
from qapps_nb import Text, upload, upload_many
from qapps_nb.errors import BatchUploadError, ConfigurationError, S3UploadError


def sha(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def stored(sb: Any, result: qapps_nb.UploadResult) -> bytes:
    return sb.read_object(result.file_id)


def test_file_upload_is_byte_exact(qapps_sandbox: Any, target: dict[str, Any],
                                   tmp_path: Path) -> None:
    data = bytes(range(256)) * 39_000 + b"tail"  # just under 10 MB: several 4 MiB chunks
    path = tmp_path / "report.bin"
    path.write_bytes(data)
    result = upload(path, **target)
    assert result.file_name == "report.bin"
    assert result.size == len(data)
    assert result.sha256 == sha(data)
    assert stored(qapps_sandbox, result) == data
    assert result.scope == "APPLICATION"
    assert result.sandbox is True
    assert result.expiration.tzinfo is not None
    assert result.expiration > datetime.now(timezone.utc)
    [obj] = [o for o in qapps_sandbox.objects() if o.file_id == result.file_id]
    assert obj.file_name == "report.bin"
    assert obj.sha256 == sha(data)


@pytest.mark.parametrize(
    ("source", "name", "expected"),
    [
        (b"\x00\x01binary", "data.bin", b"\x00\x01binary"),
        (bytearray(b"abc"), "data.bin", b"abc"),
        (memoryview(b"view"), "data.bin", b"view"),
        (Text("héllo wörld"), "text.txt", "héllo wörld".encode()),
        ({"a": [1, 2], "é": None}, "data.json", json.dumps({"a": [1, 2], "é": None},
                                                          ensure_ascii=False).encode()),
        ([1, "two"], "data.json", b'[1, "two"]'),
        (io.BytesIO(b"from a stream"), "data.bin", b"from a stream"),
        ({"name": "up.txt", "type": "text/plain", "size": 3, "content": memoryview(b"abc")},
         "up.txt", b"abc"),
    ],
    ids=["bytes", "bytearray", "memoryview", "text", "dict", "list", "stream", "upload-entry"],
)
def test_in_memory_sources(qapps_sandbox: Any, target: dict[str, Any], source: Any, name: str,
                           expected: bytes) -> None:
    result = upload(source, **target)
    assert result.file_name == name
    assert stored(qapps_sandbox, result) == expected
    assert result.sha256 == sha(expected)


def test_pandas_dataframe_formats(qapps_sandbox: Any, target: dict[str, Any]) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"city": ["Oslo", "Zürich"], "t": [1.5, 2.0]})
    csv = upload(frame, **target)
    assert csv.file_name == "dataframe.csv"
    assert stored(qapps_sandbox, csv) == "city,t\nOslo,1.5\nZürich,2.0\n".encode()
    as_json = upload(frame, file_name="cities.json", **target)
    assert json.loads(stored(qapps_sandbox, as_json)) == [
        {"city": "Oslo", "t": 1.5}, {"city": "Zürich", "t": 2.0}]
    parquet = upload(frame, file_name="cities.parquet", **target)
    back = pd.read_parquet(io.BytesIO(stored(qapps_sandbox, parquet)))
    assert back.equals(frame)
    indexed = upload(frame.set_index("city"), **target)
    assert stored(qapps_sandbox, indexed).startswith(b"city,t\n")


def test_polars_dataframe(qapps_sandbox: Any, target: dict[str, Any]) -> None:
    pl = pytest.importorskip("polars")
    result = upload(pl.DataFrame({"x": [1, 2]}), file_name="x.csv", **target)
    assert stored(qapps_sandbox, result) == b"x\n1\n2\n"


def test_large_dataframe_spools_to_disk(qapps_sandbox: Any, target: dict[str, Any]) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"n": range(1_500_000)})  # ~10 MB of CSV, beyond the 8 MiB spill size
    expected = frame.to_csv(index=False).encode()
    with pytest.warns(qapps_nb.pipeline.SizeWarning) if len(expected) > 10 * 1000**2 else \
            _no_warning():
        result = upload(frame, **target)
    assert stored(qapps_sandbox, result) == expected


class _no_warning:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def test_file_upload_widget_source(qapps_sandbox: Any, target: dict[str, Any]) -> None:
    widgets = pytest.importorskip("ipywidgets")
    picker = widgets.FileUpload()
    picker.set_state({"value": [{"name": "w.txt", "type": "text/plain", "size": 2,
                                 "last_modified": 0, "content": memoryview(b"hi")}]})
    result = upload(picker, **target)
    assert (result.file_name, stored(qapps_sandbox, result)) == ("w.txt", b"hi")


def test_session_scope_and_file_name(qapps_sandbox: Any, target: dict[str, Any]) -> None:
    session_id = "0b5e2c4d-1f2a-4b3c-9d4e-5f6a7b8c9d0e"
    result = upload(b"x", file_name="notes.md", session_id=session_id, **target)
    assert (result.scope, result.session_id, result.file_name) == ("SESSION", session_id,
                                                                   "notes.md")
    [obj] = [o for o in qapps_sandbox.objects() if o.file_id == result.file_id]
    assert (obj.scope, obj.session_id) == ("SESSION", session_id)


def test_ids_from_environment(qapps_sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in qapps_sandbox.env().items():
        monkeypatch.setenv(key, value)
    result = upload(b"env", progress=False)
    assert result.app_id == qapps_sandbox.app_id
    assert qapps_sandbox.read_object(result.file_id) == b"env"


def test_missing_id_names_every_way_to_set_it(qapps_sandbox: Any) -> None:
    with pytest.raises(ConfigurationError) as info:
        upload(b"x", instance_id="i", card_id="0b5e2c4d-1f2a-4b3c-9d4e-5f6a7b8c9d0e")
    text = str(info.value)
    assert "app_id=" in text
    assert "QAppsMagics.app_id" in text
    assert "QAPPS_APP_ID" in text
    assert qapps_sandbox.requests == []


def test_result_is_keepable_and_shows_no_secrets(qapps_sandbox: Any,
                                                target: dict[str, Any]) -> None:
    name = "<img src=x onerror=alert(1)>.txt"
    result = upload(Text("x"), file_name=name, **target)
    html = result._repr_html_()
    assert "&lt;img src=x onerror=alert(1)&gt;.txt" in html
    assert "<img" not in html
    assert result.file_id in html
    assert "SANDBOX" in html
    assert "expire" not in repr(result)  # the stored file does not expire
    assert "upload URL valid until" in html
    data = result.to_dict()
    assert json.loads(json.dumps(data))["file_id"] == result.file_id
    assert result.card_value == {"cardId": result.card_id, "value": result.file_id}
    shown = repr(result) + html + json.dumps(data)
    for word in ("policy", "signature", "credential", "security-token", "x-amz"):
        assert word not in shown.lower()
    with pytest.raises(AttributeError):
        result.file_id = "other"  # type: ignore[misc]


def test_upload_many_keeps_order_and_reports_each_failure(
        qapps_sandbox: Any, target: dict[str, Any], tmp_path: Path) -> None:
    paths = []
    for i in range(6):
        p = tmp_path / f"f{i}.txt"
        p.write_text(f"file {i}")
        paths.append(p)
    results = upload_many(paths, max_workers=3, **target)
    assert [r.file_name for r in results] == [p.name for p in paths]
    assert [qapps_sandbox.read_object(r.file_id) for r in results] == [
        p.read_bytes() for p in paths]

    qapps_sandbox.inject("s3_access_denied", times=1)
    with pytest.raises(BatchUploadError) as info:
        upload_many(paths[:3], max_workers=1, **target)
    err = info.value
    assert len(err.failures) == 1
    index, label, exc = err.failures[0]
    assert label == str(paths[index])
    assert isinstance(exc, S3UploadError)
    assert exc.code == "AccessDenied"
    assert sum(isinstance(r, qapps_nb.UploadResult) for r in err.results) == 2
    assert str(paths[index]) in str(err)


def test_upload_many_return_exceptions(qapps_sandbox: Any, target: dict[str, Any]) -> None:
    qapps_sandbox.inject("access_denied", times=1)
    out = upload_many([b"a", b"b"], max_workers=1, return_exceptions=True, **target)
    assert isinstance(out[0], qapps_nb.ApiError)
    assert out[0].code == "AccessDeniedException"
    assert isinstance(out[1], qapps_nb.UploadResult)


def test_upload_many_rejects_bad_input_before_any_request(qapps_sandbox: Any,
                                                          target: dict[str, Any],
                                                          tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("ok")
    with pytest.raises(qapps_nb.ValidationError, match="no such file"):
        upload_many([good, tmp_path / "missing.txt"], **target)
    with pytest.raises(ConfigurationError, match="file_name"):
        upload_many([b"a", b"b"], file_name="x.bin", **target)
    assert qapps_sandbox.requests == []


def test_progress_callbacks_per_phase(qapps_sandbox: Any, target: dict[str, Any],
                                      tmp_path: Path) -> None:
    data = b"p" * (9 * 1024 * 1024 + 17)
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    calls: list[tuple[str, int, int]] = []

    def progress(done: int, total: int, phase: str) -> None:
        calls.append((phase, done, total))

    target["progress"] = progress
    upload(path, **target)
    phases = [c[0] for c in calls]
    assert phases.index("hashing") < phases.index("sending")
    for phase in ("hashing", "sending"):
        mine = [(d, t) for p, d, t in calls if p == phase]
        assert mine[0][0] == 0
        assert mine[-1] == (len(data), len(data))
        assert [d for d, _ in mine] == sorted(d for d, _ in mine)

    simple: list[tuple[int, int]] = []
    target["progress"] = lambda done, total: simple.append((done, total))
    upload(b"abc", **target)
    assert simple[-1] == (3, 3)
