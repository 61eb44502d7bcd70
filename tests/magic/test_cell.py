"""``%%qapps_upload``: the cell body, exactly, as UTF-8 text."""

from __future__ import annotations

from typing import Any

from qapps_nb import UploadResult

BODY = "name,city\nÅsa,Malmö\n{not_expanded} $neither\n\n"


def test_cell_body_is_uploaded_exactly(sb: Any, ip: Any, run: Any) -> None:
    outcome = run(f"%%qapps_upload -q\n{BODY}")
    assert outcome.error is None, outcome.err
    result = outcome.result
    assert isinstance(result, UploadResult)
    assert result.file_name == "cell.txt"
    assert sb.read_object(result.file_id) == BODY.encode("utf-8")
    assert result.file_id in outcome.out  # shown as the cell's value


def test_cell_options(sb: Any, ip: Any, run: Any) -> None:
    other = "0b5e2c4d-1f2a-4b3c-9d4e-5f6a7b8c9d0e"
    outcome = run(f"%%qapps_upload --quiet --name prompt.md --out kept -s {other}\n# Title\n")
    assert outcome.error is None, outcome.err
    kept = ip.user_ns["kept"]
    assert kept is outcome.result
    assert (kept.file_name, kept.scope, kept.session_id) == ("prompt.md", "SESSION", other)
    assert sb.read_object(kept.file_id) == b"# Title\n"


def test_cell_magic_configured_ids(sb: Any, ip: Any, run: Any, monkeypatch: Any) -> None:
    monkeypatch.delenv("QAPPS_APP_ID")
    app = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
    assert "QAPPS_APP_ID" in run("%%qapps_upload -q\nbody\n").usage_error
    run(f"%config QAppsMagics.app_id = {app!r}")
    assert run("%%qapps_upload -q\nbody\n").result.app_id == app
