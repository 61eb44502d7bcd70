"""Sessions over HTTP with plain boto3: start, values, files, the state machine, stop."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from sbx_util import client, upload, wait_session

from qapps_nb.sandbox import Sandbox
from qapps_nb.sandbox import demo_apps as demo

CSV = b"name,city,age\nAlice,Paris,31\nBob,Lyon,40\n"


def _start(sb: Sandbox, app_id: str = demo.CONTRACT_SUMMARIZER_APP_ID,
           values: list[dict[str, str]] | None = None) -> str:
    c = client(sb)
    version = c.get_q_app(instanceId=sb.instance_id, appId=app_id)["appVersion"]
    started = c.start_q_app_session(instanceId=sb.instance_id, appId=app_id,
                                    appVersion=version, initialValues=values or [])
    assert started["sessionArn"].endswith(f"/qapp/{app_id}/session/{started['sessionId']}")
    return str(started["sessionId"])


def _get(sb: Sandbox, session_id: str) -> dict[str, Any]:
    return dict(client(sb).get_q_app_session(instanceId=sb.instance_id, sessionId=session_id))


def _states(sb: Sandbox, session_id: str) -> dict[str, str]:
    return {k: v["currentState"] for k, v in _get(sb, session_id)["cardStatus"].items()}


def _session_file(sb: Sandbox, session_id: str, card_id: str, data: bytes = CSV,
                  name: str = "people.csv", app_id: str = demo.CONTRACT_SUMMARIZER_APP_ID
                  ) -> str:
    r, resp = upload(sb, data, file_name=name, appId=app_id, cardId=card_id,
                     scope="SESSION", sessionId=session_id)
    assert resp.status_code == 204
    return str(r["fileId"])


def test_text_value_and_session_file_to_completed(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    sb.settings.model_latency = 0.3
    sid = _start(sb, values=[{"cardId": demo.AUDIENCE_CARD_ID, "value": "the legal team"}])
    assert _states(sb, sid) == {demo.AUDIENCE_CARD_ID: "COMPLETED",
                                demo.CONTRACT_CARD_ID: "WAITING",
                                demo.SUMMARY_CARD_ID: "WAITING"}
    assert _get(sb, sid)["status"] == "WAITING"
    file_id = _session_file(sb, sid, demo.CONTRACT_CARD_ID)
    c = client(sb)
    c.update_q_app_session(instanceId=sb.instance_id, sessionId=sid,
                           values=[{"cardId": demo.CONTRACT_CARD_ID, "value": file_id}])
    running = _get(sb, sid)
    assert running["status"] == "IN_PROGRESS"
    assert running["cardStatus"][demo.SUMMARY_CARD_ID]["currentState"] == "IN_PROGRESS"
    done = wait_session(sb, sid)
    assert done["status"] == "COMPLETED"
    assert done["appVersion"] == 1
    assert done["userIsHost"] is True
    cards = done["cardStatus"]
    assert cards[demo.AUDIENCE_CARD_ID]["currentValue"] == "the legal team"
    answer = cards[demo.SUMMARY_CARD_ID]["currentValue"]
    assert "for [Audience: the legal team]" in answer
    assert "[Contract: file people.csv]" in answer
    received = f"Contract (file-upload {demo.CONTRACT_CARD_ID}) <- file people.csv, "
    assert f"{received}{len(CSV)} bytes" in answer
    assert "CSV, 3 columns (name, city, age), 3 lines; first row: Alice, Paris, 31" in answer
    assert sb.session(sid)["status"] == "COMPLETED"
    assert sb.session(sid)["cardStatus"][demo.SUMMARY_CARD_ID]["currentValue"] == answer


def test_stop_then_resource_not_found(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    sid = _start(sb)
    c = client(sb)
    c.stop_q_app_session(instanceId=sb.instance_id, sessionId=sid)
    for call in (lambda: c.get_q_app_session(instanceId=sb.instance_id, sessionId=sid),
                 lambda: c.stop_q_app_session(instanceId=sb.instance_id, sessionId=sid),
                 lambda: c.update_q_app_session(instanceId=sb.instance_id, sessionId=sid,
                                                values=[])):
        with pytest.raises(c.exceptions.ResourceNotFoundException) as info:
            call()
        assert info.value.response["resourceId"] == sid
    with pytest.raises(KeyError):
        sb.session(sid)
    with pytest.raises(c.exceptions.ValidationException, match="stopped"):
        upload(sb, b"x", appId=demo.CONTRACT_SUMMARIZER_APP_ID, cardId=demo.CONTRACT_CARD_ID,
               scope="SESSION", sessionId=sid)


@pytest.mark.parametrize("which", ["never_uploaded", "other_session", "other_card",
                                   "application_scope"])
def test_file_values_must_be_uploads_for_this_session_and_card(qapps_sandbox: Sandbox,
                                                               which: str) -> None:
    sb = qapps_sandbox
    app = demo.MEETING_BRIEF_APP_ID
    sid = _start(sb, app)
    if which == "never_uploaded":
        value = str(uuid.uuid4())
    elif which == "other_session":
        value = _session_file(sb, _start(sb, app), demo.AGENDA_CARD_ID, app_id=app)
    elif which == "other_card":
        value = _session_file(sb, sid, demo.NOTES_CARD_ID, app_id=app)
    else:
        value = upload(sb, b"x", appId=app, cardId=demo.AGENDA_CARD_ID)[0]["fileId"]
    c = client(sb)
    with pytest.raises(c.exceptions.ValidationException) as info:
        c.update_q_app_session(instanceId=sb.instance_id, sessionId=sid,
                               values=[{"cardId": demo.TONE_CARD_ID, "value": "ignored"},
                                       {"cardId": demo.AGENDA_CARD_ID, "value": value}])
    message = info.value.response["Error"]["Message"]
    assert message.startswith("1 validation error detected: ")
    assert f"Value '{value}' at 'values.2.member.value'" in message
    assert f"scope SESSION for session {sid} and card {demo.AGENDA_CARD_ID}" in message
    assert _states(sb, sid)[demo.AGENDA_CARD_ID] == "WAITING"


def test_defaults_complete_input_cards(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    sid = _start(sb, demo.MEETING_BRIEF_APP_ID)
    got = _get(sb, sid)
    assert got["cardStatus"][demo.TONE_CARD_ID] == {"currentState": "COMPLETED",
                                                    "currentValue": demo.TONE_DEFAULT}
    assert got["cardStatus"][demo.AGENDA_CARD_ID]["currentState"] == "WAITING"
    assert got["cardStatus"][demo.BRIEF_CARD_ID]["currentState"] == "WAITING"


def test_a_default_file_completes_its_card(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    sb.settings.model_latency = 0
    c = client(sb)
    app = c.get_q_app(instanceId=sb.instance_id, appId=sb.app_id)
    r, _ = upload(sb, b"alpha\nbeta\n", file_name="notes.txt")
    cards = [{k: {m: v for m, v in body.items() if m != "dependencies"}}
             for card in app["appDefinition"]["cards"] for k, body in card.items()]
    cards[0]["fileUpload"].update(fileId=r["fileId"], filename="notes.txt")
    version = c.update_q_app(instanceId=sb.instance_id, appId=sb.app_id,
                             appDefinition={"cards": cards})["appVersion"]
    sid = c.start_q_app_session(instanceId=sb.instance_id, appId=sb.app_id,
                                appVersion=version)["sessionId"]
    done = wait_session(sb, sid)
    assert done["status"] == "COMPLETED"
    answer = done["cardStatus"][demo.PROFILE_CARD_ID]["currentValue"]
    assert 'text, 2 lines; first line: "alpha"' in answer


def test_model_latency_keeps_a_card_in_progress(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    sb.settings.model_latency = 30
    sid = _start(sb, values=[{"cardId": demo.AUDIENCE_CARD_ID, "value": "ops"}])
    file_id = _session_file(sb, sid, demo.CONTRACT_CARD_ID)
    client(sb).update_q_app_session(instanceId=sb.instance_id, sessionId=sid,
                                    values=[{"cardId": demo.CONTRACT_CARD_ID, "value": file_id}])
    time.sleep(0.2)
    got = _get(sb, sid)
    assert got["cardStatus"][demo.SUMMARY_CARD_ID] == {"currentState": "IN_PROGRESS",
                                                       "currentValue": ""}


def test_start_needs_an_existing_version_and_app(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    c = client(sb)
    with pytest.raises(c.exceptions.ResourceNotFoundException, match="Version 7"):
        c.start_q_app_session(instanceId=sb.instance_id, appId=sb.app_id, appVersion=7)
    with pytest.raises(c.exceptions.ResourceNotFoundException):
        c.start_q_app_session(instanceId=sb.instance_id, appId=str(uuid.uuid4()),
                              appVersion=1)


def test_values_for_unknown_or_generated_cards_are_refused(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    c = client(sb)
    with pytest.raises(c.exceptions.ValidationException, match="takes no value"):
        c.start_q_app_session(instanceId=sb.instance_id, appId=demo.CONTRACT_SUMMARIZER_APP_ID,
                              appVersion=1, initialValues=[{"cardId": demo.SUMMARY_CARD_ID,
                                                            "value": "answer"}])
    with pytest.raises(c.exceptions.ValidationException, match="must be a card of app"):
        c.start_q_app_session(instanceId=sb.instance_id, appId=demo.CONTRACT_SUMMARIZER_APP_ID,
                              appVersion=1, initialValues=[{"cardId": str(uuid.uuid4()),
                                                            "value": "x"}])
    assert sb.sessions() == []  # nothing was kept


def test_update_needs_a_waiting_card(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    sb.settings.model_latency = 0
    app_id = sb.add_app("Echo", [{"textInput": {"title": "Say", "defaultValue": "hi"}}])
    sid = _start(sb, app_id)
    assert _get(sb, sid)["status"] == "COMPLETED"
    c = client(sb)
    with pytest.raises(c.exceptions.ValidationException, match="WAITING"):
        c.update_q_app_session(instanceId=sb.instance_id, sessionId=sid, values=[])


def test_values_for_cards_not_waiting_are_ignored(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    sid = _start(sb, values=[{"cardId": demo.AUDIENCE_CARD_ID, "value": "first"}])
    client(sb).update_q_app_session(
        instanceId=sb.instance_id, sessionId=sid,
        values=[{"cardId": demo.AUDIENCE_CARD_ID, "value": "second"}])
    assert _get(sb, sid)["cardStatus"][demo.AUDIENCE_CARD_ID]["currentValue"] == "first"


def test_presign_refuses_cards_that_are_not_file_cards_of_a_known_app(
        qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    c = client(sb)
    with pytest.raises(c.exceptions.ValidationException) as info:
        upload(sb, b"x", appId=demo.CONTRACT_SUMMARIZER_APP_ID, cardId=demo.AUDIENCE_CARD_ID)
    message = info.value.response["Error"]["Message"]
    assert f"Value '{demo.AUDIENCE_CARD_ID}' at 'cardId'" in message
    assert f"'Contract' {demo.CONTRACT_CARD_ID}" in message
    assert sb.objects() == []
    # an app id the sandbox does not know is accepted, with any card (ad-hoc ids)
    r, resp = upload(sb, b"x", appId=str(uuid.uuid4()), cardId=str(uuid.uuid4()))
    assert resp.status_code == 204
    assert r["fileId"]


def test_presign_for_a_session_of_another_app_is_refused(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    sid = _start(sb)
    c = client(sb)
    with pytest.raises(c.exceptions.ValidationException, match="session of app"):
        upload(sb, b"x", appId=sb.app_id, cardId=sb.card_id, scope="SESSION", sessionId=sid)


def test_start_with_an_existing_session_id_returns_it(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    sid = _start(sb)
    file_id = _session_file(sb, sid, demo.CONTRACT_CARD_ID)
    c = client(sb)
    again = c.start_q_app_session(
        instanceId=sb.instance_id, appId=demo.CONTRACT_SUMMARIZER_APP_ID, appVersion=1,
        sessionId=sid, initialValues=[{"cardId": demo.CONTRACT_CARD_ID, "value": file_id}])
    assert again["sessionId"] == sid
    assert _states(sb, sid)[demo.CONTRACT_CARD_ID] == "COMPLETED"
    with pytest.raises(c.exceptions.ResourceNotFoundException):
        c.start_q_app_session(instanceId=sb.instance_id, appId=sb.app_id, appVersion=1,
                              sessionId=str(uuid.uuid4()))


def test_reset_drops_sessions(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    sid = _start(sb)
    sb.reset()
    assert sb.sessions() == []
    with pytest.raises(KeyError):
        sb.session(sid)
