"""Faults on the app and session operations: operation=, card_error, stuck_waiting."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests
from sbx_util import client, presign, upload, wait_session

from qapps_nb.sandbox import Sandbox
from qapps_nb.sandbox import demo_apps as demo


def _run_brief(sb: Sandbox) -> str:
    """A Meeting Brief session with both files given (Tone has a default)."""
    c = client(sb)
    sid = c.start_q_app_session(instanceId=sb.instance_id, appId=demo.MEETING_BRIEF_APP_ID,
                                appVersion=1)["sessionId"]
    values = []
    for card in (demo.AGENDA_CARD_ID, demo.NOTES_CARD_ID):
        r, _ = upload(sb, b"item one\nitem two\n", file_name="agenda.txt",
                      appId=demo.MEETING_BRIEF_APP_ID, cardId=card, scope="SESSION",
                      sessionId=sid)
        values.append({"cardId": card, "value": r["fileId"]})
    c.update_q_app_session(instanceId=sb.instance_id, sessionId=sid, values=values)
    return str(sid)


def _poll(sb: Sandbox, sid: str) -> dict[str, Any]:
    """The session once it is not IN_PROGRESS (WAITING counts: stuck_waiting)."""
    return wait_session(sb, sid, until=("WAITING", "COMPLETED", "ERROR"))


@pytest.mark.parametrize(("kind", "code"), [("throttle", "ThrottlingException"),
                                            ("api_error", "InternalServerException"),
                                            ("access_denied", "AccessDeniedException")])
@pytest.mark.parametrize("operation", ["ListQApps", "GetQApp", "StartQAppSession",
                                       "GetQAppSession"])
def test_fault_limited_to_one_operation(qapps_sandbox: Sandbox, kind: str, code: str,
                                        operation: str) -> None:
    sb = qapps_sandbox
    c = client(sb)
    sid = c.start_q_app_session(instanceId=sb.instance_id, appId=sb.app_id,
                                appVersion=1)["sessionId"]
    sb.inject(kind, operation=operation)
    calls = {
        "ListQApps": lambda: c.list_q_apps(instanceId=sb.instance_id),
        "GetQApp": lambda: c.get_q_app(instanceId=sb.instance_id, appId=sb.app_id),
        "StartQAppSession": lambda: c.start_q_app_session(
            instanceId=sb.instance_id, appId=sb.app_id, appVersion=1),
        "GetQAppSession": lambda: c.get_q_app_session(instanceId=sb.instance_id,
                                                      sessionId=sid),
    }
    for name, call in calls.items():
        if name != operation:
            call()  # other operations pass the fault by
    presign(sb, qapps=c)
    assert sb.faults != []
    with pytest.raises(getattr(c.exceptions, code)) as info:
        calls[operation]()
    if kind == "access_denied":
        assert f"qapps:{operation}" in info.value.response["Error"]["Message"]
    assert sb.faults == []
    faulted = [r for r in sb.requests if r.fault]
    assert [(r.operation, r.code) for r in faulted] == [(operation, code)]


def test_boto3_retries_a_throttled_get_q_app_session(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    c = client(sb, retries=3)
    sid = c.start_q_app_session(instanceId=sb.instance_id, appId=sb.app_id,
                                appVersion=1)["sessionId"]
    sb.inject("throttle", times=2, operation="GetQAppSession", retry_after=0)
    assert c.get_q_app_session(instanceId=sb.instance_id, sessionId=sid)["sessionId"] == sid
    log = [(r.operation, r.status) for r in sb.requests if r.operation == "GetQAppSession"]
    assert log == [("GetQAppSession", 429)] * 2 + [("GetQAppSession", 200)]


def test_card_error(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    sb.settings.model_latency = 0
    sb.inject("card_error", message="model overloaded")
    sid = _run_brief(sb)
    got = _poll(sb, sid)
    assert got["status"] == "ERROR"
    assert got["cardStatus"][demo.BRIEF_CARD_ID] == {"currentState": "ERROR",
                                                     "currentValue": "model overloaded"}
    assert sb.faults == []
    assert _poll(sb, _run_brief(sb))["status"] == "COMPLETED"  # consumed


def test_stuck_waiting(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    sb.settings.model_latency = 0
    sb.inject("stuck_waiting")
    sid = _run_brief(sb)
    time.sleep(0.1)
    got = _poll(sb, sid)
    assert got["status"] == "WAITING"
    assert {v["currentState"] for v in got["cardStatus"].values()} == {"WAITING"}
    assert _poll(sb, _run_brief(sb))["status"] == "COMPLETED"  # only the next session


def test_session_faults_over_http(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    url = f"{sb.endpoint_url}/_sandbox/faults"
    assert requests.post(url, json={"kind": "card_error"}, timeout=10).status_code == 201
    resp = requests.post(url, json={"kind": "throttle", "operation": "GetQApp"}, timeout=10)
    assert resp.status_code == 201
    assert sb.faults == [{"kind": "card_error", "times": 1},
                         {"kind": "throttle", "times": 1, "operation": "GetQApp"}]
    bad = requests.post(url, json={"kind": "throttle", "operation": "GetApp"}, timeout=10)
    assert bad.status_code == 400
    assert "unknown operation 'GetApp'" in bad.json()["error"]
    bad = requests.post(url, json={"kind": "slow_down", "operation": "GetQApp"}, timeout=10)
    assert bad.status_code == 400


def test_expired_url_waits_for_create_presigned_url(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    sb.inject("expired_url")
    client(sb).list_q_apps(instanceId=sb.instance_id)
    assert sb.faults == [{"kind": "expired_url", "times": 1,
                          "operation": "CreatePresignedUrl"}]
    with pytest.raises(ValueError, match="only applies to CreatePresignedUrl"):
        sb.inject("expired_url", operation="GetQApp")


def test_random_faults_hit_the_new_operations(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    sb.inject_random(1.0, kinds=["api_error"], seed=1)
    c = client(sb)
    with pytest.raises(c.exceptions.InternalServerException):
        c.list_q_apps(instanceId=sb.instance_id)
    sb.clear_faults()
    assert c.list_q_apps(instanceId=sb.instance_id)["apps"]
