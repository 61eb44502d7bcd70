"""run_app against the sandbox over HTTP: text and file inputs reach their cards, in order."""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path
from typing import Any

import pytest
from runs_helpers import count, ops

import qapps_nb
from qapps_nb.sandbox import demo_apps


@pytest.fixture
def contract(tmp_path: Path) -> Path:
    path = tmp_path / "msa-2024.txt"
    path.write_text("Term: 24 months.\nPayment: net 30.\n")
    return path


def test_a_text_input_and_a_file(sb: Any, aws: dict[str, Any], contract: Path) -> None:
    run = qapps_nb.run_app("Contract Summarizer",
                           {"Audience": "legal team", "Contract": contract}, **aws)

    assert run.status == "COMPLETED"
    assert list(run.outputs) == ["Summary"]
    summary = run.outputs["Summary"]
    assert '"legal team"' in summary  # the text reached the Audience card
    assert "msa-2024.txt" in summary  # the file reached the Contract card
    assert "Term: 24 months." in summary
    # The calls, in the order the flow promises: one definition, then the session.
    seen = ops(sb)
    assert seen[:2] == ["ListQApps", "GetQApp"]  # by title: one listing, one definition
    assert seen[2:5] == ["StartQAppSession", "CreatePresignedUrl", "UpdateQAppSession"]
    assert set(seen[5:]) == {"GetQAppSession"}
    # The file went up for this session and this card (the inferred rule).
    (upload,) = run.uploads
    assert (upload.scope, upload.session_id) == ("SESSION", run.session_id)
    assert upload.card_id == run.cards["Contract"].card_id
    assert sb.read_object(upload.file_id) == contract.read_bytes()
    # Every card's state and value, as the session reported it.
    assert {k: c.state for k, c in run.cards.items()} == {
        "Audience": "COMPLETED", "Contract": "COMPLETED", "Summary": "COMPLETED"}
    assert run.cards["Audience"].value == "legal team"
    assert run.polls == count(sb, "GetQAppSession")
    assert run.sandbox
    assert not run.stopped
    assert run.error is None


def test_to_dict_is_plain_json(sb: Any, aws: dict[str, Any], contract: Path) -> None:
    run = qapps_nb.run_app("Contract Summarizer",
                           {"Audience": "ops", "Contract": contract}, **aws)
    data = json.loads(json.dumps(run.to_dict()))
    assert data["session_id"] == run.session_id
    assert data["status"] == "COMPLETED"
    assert data["outputs"] == run.outputs
    assert data["cards"]["Summary"]["state"] == "COMPLETED"
    assert data["uploads"][0]["file_id"] == run.uploads[0].file_id
    assert data["app_title"] == "Contract Summarizer"


def test_a_dataframe_file_input(sb: Any, aws: dict[str, Any]) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"city": ["Oslo", "Lima"], "temp": [4.5, 19.0]})
    run = qapps_nb.run_app("Dataset Profiler", {"Dataset": frame}, **aws)
    assert run.status == "COMPLETED"
    (upload,) = run.uploads
    assert sb.read_object(upload.file_id) == frame.to_csv(index=False).encode()
    assert upload.file_name == "Dataset.csv"  # data with no name is named after its card
    profile = run.outputs["Profile"]
    assert "CSV, 2 columns (city, temp)" in profile
    assert "first row: Oslo, 4.5" in profile


def test_cards_and_app_by_id(sb: Any, aws: dict[str, Any]) -> None:
    app = qapps_nb.get_app(sb.app_id, instance_id=sb.instance_id, session=aws["session"],
                           endpoint_url=sb.endpoint_url)
    run = qapps_nb.run_app(sb.app_id, {sb.card_id: b"a,b\n1,2\n"}, **aws)
    assert run.app.app_id == app.app_id == sb.app_id
    assert "ListQApps" not in ops(sb)  # an id needs no listing
    assert run.status == "COMPLETED"


def test_defaults_need_no_input(sb: Any, aws: dict[str, Any]) -> None:
    """Meeting Brief's Tone has a default: two files are all it needs."""
    run = qapps_nb.run_app("meeting brief",  # titles match case-insensitively
                           {"Agenda": qapps_nb.Text("1. budget"),
                            "Notes": {"said": "ship it"}}, **aws)
    assert run.status == "COMPLETED"
    brief = run.outputs["Brief"]
    assert demo_apps.TONE_DEFAULT in brief
    assert "1. budget" in brief
    assert sorted(u.file_name for u in run.uploads) == ["Agenda.txt", "Notes.json"]
    assert {u.card_id for u in run.uploads} == {run.cards["Agenda"].card_id,
                                                run.cards["Notes"].card_id}


def test_wait_false_returns_at_once_and_wait_resumes(sb: Any, aws: dict[str, Any]) -> None:
    sb.settings.model_latency = 3.0  # wide margin: a loaded machine is slow to start a run
    started = time.monotonic()
    run = qapps_nb.run_app("Dataset Profiler", {"Dataset": b"x,y\n1,2\n"}, wait=False, **aws)
    assert time.monotonic() - started < 2.5  # did not wait for the answer
    assert run.status == "IN_PROGRESS"
    assert run.outputs == {}
    assert run.wait() is run
    assert run.status == "COMPLETED"
    assert "Profile" in run.outputs
    assert run.refresh().status == "COMPLETED"


def test_polls_ease_off(sb: Any, aws: dict[str, Any]) -> None:
    """About four polls a second at first, easing off: few polls for a 2 s answer."""
    from qapps_nb.runs.waiting import schedule

    sb.settings.model_latency = 2.0
    run = qapps_nb.run_app("Dataset Profiler", {"Dataset": b"x\n1\n"}, **aws)
    assert run.status == "COMPLETED"
    assert run.polls == count(sb, "GetQAppSession")
    assert run.polls <= len(schedule(2.6)) + 1
    times = schedule(5.0)
    assert times[0] == 0.25
    assert len(times) < 12
    assert all(b - a <= 2.0 + 1e-9 for a, b in itertools.pairwise(times))


def test_a_big_file_input_gets_one_size_notice(sb: Any, aws: dict[str, Any]) -> None:
    """The notice is shown once, when the input is checked; the upload does not repeat it."""
    big = b"x" * (10 * 1000**2 + 1)
    with pytest.warns(qapps_nb.SizeWarning) as caught:
        run = qapps_nb.run_app("Dataset Profiler", {"Dataset": big}, **aws)
    assert run.status == "COMPLETED"
    notices = [str(w.message) for w in caught if issubclass(w.category, qapps_nb.SizeWarning)]
    assert notices == ["Dataset.bin (bytes) is 10,000,001 bytes; Amazon Q Business takes "
                       "files of at most 10 MB, so the app may not be able to use it "
                       "(uploading it anyway)"]
