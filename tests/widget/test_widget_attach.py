"""'Make it the card's default file': the widget's uploads with attach, against the sandbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from widget_helpers import listed, send_file, show

from qapps_nb.sandbox import demo_apps as demo
from qapps_nb.widget import UploadWidget


def _default_file(sb: Any, app_id: str, card_id: str) -> dict[str, Any]:
    for union in sb.app(app_id)["appDefinition"]["cards"]:
        card = next(iter(union.values()))
        if card["id"] == card_id:
            return card
    raise AssertionError(f"no card {card_id}")


@pytest.fixture
def make(qapps_sandbox: Any, new_widget: Callable[..., UploadWidget]) -> Any:
    """Widgets on the sandbox's instance, shown (so they list apps unless told not to)."""
    def build(**kwargs: Any) -> UploadWidget:
        sb = qapps_sandbox
        w = new_widget(instance_id=sb.instance_id, session=sb.boto3_session(),
                       endpoint_url=sb.endpoint_url, **kwargs)
        show(w)
        return w

    return build


def test_attach_makes_the_file_the_cards_default(make: Any, qapps_sandbox: Any) -> None:
    sb = qapps_sandbox
    before = sb.app(demo.MEETING_BRIEF_APP_ID)
    w = make(app_id=demo.MEETING_BRIEF_APP_ID, card_id=demo.NOTES_CARD_ID, attach=True)
    listed(w)
    send_file(w, "t1", b"notes of the week", name="notes.txt")
    (result,) = w.wait(timeout=30)
    card = _default_file(sb, demo.MEETING_BRIEF_APP_ID, demo.NOTES_CARD_ID)
    assert card["fileId"] == result["file_id"]
    assert card["filename"] == "notes.txt"
    after = sb.app(demo.MEETING_BRIEF_APP_ID)
    assert after["appVersion"] == before["appVersion"] + 1
    assert result["attached"] is True
    assert result["app_version"] == after["appVersion"]
    row = w.rows[0]
    assert row["attached"] is True
    assert row["note"] == (f"now the default file of 'Notes' (app version "
                           f"{after['appVersion']})")
    # the picker shows the new default file too
    brief = next(a for a in w.apps if a["app_id"] == demo.MEETING_BRIEF_APP_ID)
    notes = next(c for c in brief["cards"] if c["card_id"] == demo.NOTES_CARD_ID)
    assert notes["default_file"] == "notes.txt"
    assert sb.read_object(result["file_id"]) == b"notes of the week"


def test_attach_is_ignored_with_session_scope(make: Any, qapps_sandbox: Any) -> None:
    sb = qapps_sandbox
    client = sb.client()
    version = sb.app(sb.app_id)["appVersion"]
    session_id = client.start_q_app_session(instanceId=sb.instance_id, appId=sb.app_id,
                                            appVersion=version)["sessionId"]
    w = make(app_id=sb.app_id, card_id=sb.card_id, session_id=session_id, attach=True)
    assert w.scope == "SESSION"
    send_file(w, "t1", b"for this run only")
    (result,) = w.wait(timeout=30)
    assert result["attached"] is False
    assert _default_file(sb, sb.app_id, sb.card_id).get("fileId") is None
    assert not any(r.operation == "UpdateQApp" for r in sb.requests)


def test_an_app_you_cannot_edit_gets_the_file_without_attach(make: Any,
                                                             qapps_sandbox: Any) -> None:
    sb = qapps_sandbox
    app_id = sb.add_app("Borrowed", [{"fileUpload": {"title": "Input"}}], owned=False)
    card_id = sb.app(app_id)["appDefinition"]["cards"][0]["fileUpload"]["id"]
    w = make(app_id=app_id, card_id=card_id, attach=True)
    listed(w)
    borrowed = next(a for a in w.apps if a["app_id"] == app_id)
    assert borrowed["can_edit"] is False  # the front end greys the option out for it
    send_file(w, "t1", b"mine", name="mine.txt")
    (result,) = w.wait(timeout=30)
    row = w.rows[0]
    assert (row["status"], row["attached"]) == ("done", False)
    assert row["note"] == ("not made the card's default: only the app's owner can set its "
                           "default file")
    assert sb.read_object(result["file_id"]) == b"mine"
    assert not any(r.operation == "UpdateQApp" for r in sb.requests)


def test_attach_to_an_app_not_listed_says_what_to_untick(make: Any, qapps_sandbox: Any) -> None:
    sb = qapps_sandbox
    app_id = sb.add_app("Borrowed", [{"fileUpload": {"title": "Input"}}], owned=False)
    card_id = sb.app(app_id)["appDefinition"]["cards"][0]["fileUpload"]["id"]
    w = make(app_id=app_id, card_id=card_id, attach=True, load_apps=False)
    send_file(w, "t1", b"mine", name="mine.txt")
    assert w.wait(timeout=30) == []
    (error,) = w.errors
    assert error["error"].startswith("only the owner of app 'Borrowed' can set its default file")
    assert error["error"].endswith("untick \"Make it the card's default file\" to just upload")
    assert "attach=" not in error["error"]
    assert "--attach" not in error["error"]
    assert sb.objects() == []


def test_attach_refused_after_the_upload_still_shows_the_stored_file(
        make: Any, qapps_sandbox: Any) -> None:
    sb = qapps_sandbox
    sb.inject("access_denied", operation="UpdateQApp")
    w = make(app_id=sb.app_id, card_id=sb.card_id, attach=True, load_apps=False)
    send_file(w, "t1", b"stored anyway", name="data.csv")
    (result,) = w.wait(timeout=30)
    assert w.errors == []
    row = w.rows[0]
    assert (row["status"], row["attached"]) == ("done", False)
    assert row["note"].startswith("not made the card's default: only the owner of app "
                                  "'Dataset Profiler' can set its default file")
    assert "[AccessDeniedException]" in row["note"]
    assert result["file_id"] not in row["note"]  # the row shows the fileId already
    assert sb.read_object(result["file_id"]) == b"stored anyway"
    assert _default_file(sb, sb.app_id, sb.card_id).get("fileId") is None
