"""Bad inputs are refused in one line before any session starts (the request log proves it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from runs_helpers import no_session_started, ops

import qapps_nb
from qapps_nb import ValidationError


def refused(sb: Any, aws: dict[str, Any], app: str, inputs: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        qapps_nb.run_app(app, inputs, **aws)
    no_session_started(sb)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_unknown_card_names_the_real_ones(sb: Any, aws: dict[str, Any]) -> None:
    message = refused(sb, aws, "Contract Summarizer", {"Audiense": "legal", "Contract": b"x"})
    assert "no card 'Audiense'" in message
    for real in ("'Audience'", "'Contract'", "'Summary'"):
        assert real in message


def test_missing_text_input(sb: Any, aws: dict[str, Any]) -> None:
    message = refused(sb, aws, "Contract Summarizer", {"Contract": b"x"})
    assert message.startswith("'Contract Summarizer' needs 'Audience' (text)")


def test_missing_inputs_are_all_named(sb: Any, aws: dict[str, Any]) -> None:
    message = refused(sb, aws, "Contract Summarizer", None)
    assert "'Audience' (text), 'Contract' (file)" in message


def test_an_empty_text_is_not_an_input(sb: Any, aws: dict[str, Any]) -> None:
    message = refused(sb, aws, "Contract Summarizer", {"Audience": "", "Contract": b"x"})
    assert "needs 'Audience' (text)" in message


def test_missing_file_input_with_a_default_text(sb: Any, aws: dict[str, Any]) -> None:
    message = refused(sb, aws, "Meeting Brief", {"Agenda": b"1. budget"})
    assert "needs 'Notes' (file)" in message
    assert "Tone" not in message  # it has a default


def test_text_for_a_text_card_not_a_dataframe(sb: Any, aws: dict[str, Any]) -> None:
    pd = pytest.importorskip("pandas")
    message = refused(sb, aws, "Contract Summarizer",
                      {"Audience": pd.DataFrame({"a": [1]}), "Contract": b"x"})
    assert message == "card 'Audience' is a text-input card: give a str, not a DataFrame"


def test_a_number_is_not_a_file(sb: Any, aws: dict[str, Any]) -> None:
    message = refused(sb, aws, "Contract Summarizer", {"Audience": "ops", "Contract": 42})
    assert message.startswith("card 'Contract' is a file-upload card: give a path, bytes")
    assert message.endswith("not an int")


def test_an_output_card_is_not_an_input(sb: Any, aws: dict[str, Any]) -> None:
    message = refused(sb, aws, "Contract Summarizer",
                      {"Audience": "ops", "Contract": b"x", "Summary": "short"})
    assert message.startswith("card 'Summary' is a q-query card (an output), not an input")
    assert "'Audience' (text), 'Contract' (file)" in message


def test_a_missing_file(sb: Any, aws: dict[str, Any], tmp_path: Path) -> None:
    message = refused(sb, aws, "Dataset Profiler", {"Dataset": str(tmp_path / "nope.csv")})
    assert message.startswith("card 'Dataset': no such file")


def test_text_meant_as_a_file_is_a_path(sb: Any, aws: dict[str, Any]) -> None:
    message = refused(sb, aws, "Dataset Profiler", {"Dataset": "a,b\n1,2\n"})
    assert "qapps_nb.Text" in message


def test_a_card_given_twice(sb: Any, aws: dict[str, Any]) -> None:
    message = refused(sb, aws, "Dataset Profiler", {"Dataset": b"x", sb.card_id: b"y"})
    assert message.startswith("card 'Dataset' is given twice")


def test_inputs_must_be_a_dict(sb: Any, aws: dict[str, Any]) -> None:
    message = refused(sb, aws, "Dataset Profiler", [b"x"])
    assert message.startswith("inputs must be a dict")


def test_a_default_file_that_may_not_be_overridden(sb: Any, aws: dict[str, Any]) -> None:
    default = qapps_nb.upload(b"kept", instance_id=sb.instance_id, app_id=sb.app_id,
                              card_id=sb.card_id, session=aws["session"],
                              endpoint_url=sb.endpoint_url, progress=False)
    app_id = sb.add_app("Locked", [
        {"fileUpload": {"title": "Data", "type": "file-upload", "fileId": default.file_id,
                        "filename": "kept.bin", "allowOverride": False}},
        {"qQuery": {"title": "Answer", "type": "q-query", "prompt": "Look at the data."}},
    ])
    sb.clear_requests()
    message = refused(sb, aws, app_id, {"Data": b"mine"})
    assert "does not allow overriding it" in message
    # Without an input the default file is used.
    run = qapps_nb.run_app(app_id, {}, **aws)
    assert run.status == "COMPLETED"
    assert run.uploads == []


def test_an_unknown_app_starts_nothing(sb: Any, aws: dict[str, Any]) -> None:
    message = refused(sb, aws, "Contract Sumarizer", {})
    assert "no app titled 'Contract Sumarizer'" in message
    assert "GetQApp" not in ops(sb)
