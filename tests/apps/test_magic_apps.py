"""``%qapps_apps`` and ``%qapps_upload --app/--card/--attach`` in an in-process IPython shell."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qapps_nb.service.apps import App, AppList

SOME_APP = "11111111-2222-4333-8444-555555555555"


def test_qapps_apps_lists_and_shows_one_app(qapps_sandbox_env: Any, ip: Any, run: Any,
                                            ops: Any) -> None:
    listing = run("%qapps_apps")
    assert listing.error is None, listing.err
    assert isinstance(listing.result, AppList)
    assert len(listing.result) == 3
    assert "Meeting Brief" in listing.out
    shown = run("%qapps_apps -o brief 'meeting BRIEF'")
    assert isinstance(shown.result, App)
    assert shown.result.title == "Meeting Brief"
    assert ip.user_ns["brief"] is shown.result
    assert [c.title for c in shown.result.file_cards] == ["Agenda", "Notes"]
    assert ops() == ["ListQApps", "GetQApp"]
    run("%qapps_apps --refresh -o again")
    assert ops()[-1] == "ListQApps"
    assert ip.user_ns["again"] is not listing.result
    by_id = run(f"%qapps_apps {qapps_sandbox_env.app_id}").result
    assert by_id.title == "Dataset Profiler"
    assert run("%qapps_apps;").result is None  # silenced


def test_qapps_apps_failures_are_one_line(qapps_sandbox_env: Any, ip: Any, run: Any, ops: Any,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    assert run("%qapps_apps Nope").usage_error.startswith("no app titled 'Nope'; apps you "
                                                          "can use: ")
    assert ops() == ["ListQApps"]
    assert "cannot be a Q Apps title" in run("%qapps_apps 'a<b'").usage_error
    assert "unrecognized arguments: --bogus" in run("%qapps_apps --bogus").usage_error
    assert "'1x' is not a variable name" in run("%qapps_apps -o 1x").usage_error
    monkeypatch.delenv("QAPPS_INSTANCE_ID")
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name)
    message = run("%qapps_apps").usage_error
    assert message.startswith("2 settings missing: (1) no instance id")
    assert "(2) no AWS region" in message
    assert ops() == ["ListQApps"]
    qapps_sandbox_env.inject("access_denied", operation="ListQApps")
    message = run(f"%qapps_apps -i {qapps_sandbox_env.instance_id} "
                  f"--region {qapps_sandbox_env.region}").usage_error
    assert "Q Apps list_q_apps failed" in message
    assert "[AccessDeniedException]" in message
    assert "qapps:ListQApps" in message
    assert "app_id=" in message


def test_qapps_apps_help(ip: Any, run: Any) -> None:
    shown = run("%qapps_apps --help")
    assert shown.result is None
    assert shown.error is None
    assert "Amazon Q Business application id" in shown.out
    assert "--refresh" in shown.out
    assert "%qapps_apps [options] [APP]" in ip.magics_manager.registry[
        "QAppsMagics"].qapps_apps.__doc__


def test_upload_by_names_and_attach(qapps_sandbox_env: Any, ip: Any, run: Any,
                                    tmp_path: Path) -> None:
    (tmp_path / "my notes.txt").write_text("decisions")
    outcome = run("%qapps_upload -q --app 'Meeting Brief' --card notes --attach "
                  "'my notes.txt'")
    result = outcome.result
    assert outcome.error is None, outcome.err
    assert result.attached
    assert result.card_title == "Notes"
    assert f"set as the default file of card 'Notes' (app version {result.app_version})" \
        in outcome.out
    app = run("%qapps_apps 'Meeting Brief'").result
    assert app.card("Notes").default_file_id == result.file_id
    assert app.version == result.app_version


def test_upload_name_failures_are_one_line_and_send_nothing(qapps_sandbox_env: Any, ip: Any,
                                                            run: Any, ops: Any) -> None:
    ip.user_ns.update(x=b"x", y=b"y")
    cases = {
        "%qapps_upload --app 'Meeting Brief' x":
            "app 'Meeting Brief' has 2 file-upload cards: 'Agenda', 'Notes'",
        "%qapps_upload --app 'Meeting Brief' --card Tone x": "is a text-input card",
        "%qapps_upload --app Nope x": "no app titled 'Nope'",
        "%qapps_upload --app 'Meeting Brief' --card Notes --attach x y":
            "--attach makes one file the card's default: give one SOURCE (got 2 files)",
        f"%qapps_upload --app X --app-id {SOME_APP} x": "give app= or app_id=, not both",
        "%qapps_upload --app Dataset\\ Profiler --attach -s "
        f"{SOME_APP} x": "attach=True makes the file the card's default file",
    }
    for cell, expected in cases.items():
        assert expected in run(cell).usage_error, cell
    # one listing and one definition, cached; the unknown title re-read the listing once
    assert ops() == ["ListQApps", "GetQApp", "ListQApps"]
    assert qapps_sandbox_env.objects() == []


def test_config_app_and_card_by_title(qapps_sandbox_env: Any, ip: Any, run: Any, magics: Any,
                                      caplog: pytest.LogCaptureFixture) -> None:
    ip.user_ns["x"] = b"x"
    run("%config QAppsMagics.app = 'Contract Summarizer'")  # beats QAPPS_APP_ID
    result = run("%qapps_upload -q x").result
    assert result.card_title == "Contract"  # QAPPS_CARD_ID is for another app: ignored
    refused = run(f"%config QAppsMagics.app_id = {SOME_APP!r}")
    assert "QAppsMagics.app_id: QAppsMagics.app is already set" in caplog.text
    assert not refused.tracebacks
    assert magics.app_id is None
    run("%config QAppsMagics.app = 'Meeting Brief'")
    run("%config QAppsMagics.card = 'agenda'")
    assert run("%qapps_upload -q x").result.card_title == "Agenda"
    assert run("%qapps_upload -q --card Notes x").result.card_title == "Notes"  # option wins
    by_ids = run(f"%qapps_upload -q -a {qapps_sandbox_env.app_id} "
                 f"-c {qapps_sandbox_env.card_id} x").result
    assert by_ids.card_id == qapps_sandbox_env.card_id  # option-level ids beat %config titles


def test_config_shows_the_values_in_effect(qapps_sandbox_env: Any, ip: Any, run: Any) -> None:
    out = run("%config QAppsMagics").out
    assert (f"In effect: '{qapps_sandbox_env.instance_id}' "
            "(from the environment: QAPPS_INSTANCE_ID)") in out
    assert (f"In effect: app_id '{qapps_sandbox_env.app_id}' "
            "(from the environment: QAPPS_APP_ID)") in out
    assert f"In effect: '{qapps_sandbox_env.region}' (from the environment: AWS_REGION)" in out
    run("%config QAppsMagics.app = 'Meeting Brief'")
    out = run("%config QAppsMagics").out
    assert "In effect: 'Meeting Brief' (from %config QAppsMagics.app)" in out
    assert "In effect: app 'Meeting Brief' (from %config QAppsMagics.app)" in out


def test_unload_removes_qapps_apps(ip: Any) -> None:
    from qapps_nb import magics

    assert "qapps_apps" in ip.magics_manager.magics["line"]
    magics.unload_ipython_extension(ip)
    assert "qapps_apps" not in ip.magics_manager.magics["line"]
    magics.load_ipython_extension(ip)
