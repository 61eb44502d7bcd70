"""GET /_sandbox (HTML for browsers, JSON otherwise), the app/session routes, --apps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from sbx_util import client

from qapps_nb.sandbox import Sandbox, running
from qapps_nb.sandbox import demo_apps as demo

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_landing_page_html_lists_apps_escaped(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    sb.add_app("Tom & Jerry's", [{"textInput": {"title": "Q&A"}}],
               description="<script>alert(1)</script>")
    resp = requests.get(f"{sb.endpoint_url}/_sandbox", headers={"Accept": BROWSER_ACCEPT},
                        timeout=10)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/html")
    page = resp.text
    assert page.startswith("<!DOCTYPE html>")
    for app_id in (demo.DATASET_PROFILER_APP_ID, demo.CONTRACT_SUMMARIZER_APP_ID,
                   demo.MEETING_BRIEF_APP_ID, demo.DATASET_CARD_ID, sb.instance_id):
        assert app_id in page
    assert "Tom &amp; Jerry&#x27;s" in page
    assert "Q&amp;A" in page
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert sb.env()["AWS_SECRET_ACCESS_KEY"] not in page


def test_landing_page_json_for_clients(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    for headers in ({}, {"Accept": "application/json"}, {"Accept": "*/*"}):
        info = requests.get(f"{sb.endpoint_url}/_sandbox", headers=headers, timeout=10).json()
        assert info["app_id"] == sb.app_id  # what existing clients read
        titles = {a["title"]: a for a in info["apps"]}
        assert list(titles) == ["Dataset Profiler", "Contract Summarizer", "Meeting Brief"]
        assert titles["Dataset Profiler"]["cards"][0] == {
            "id": sb.card_id, "title": "Dataset", "type": "file-upload"}
        assert info["settings"]["model_latency"] == 1.0
    forced = requests.get(f"{sb.endpoint_url}/_sandbox?format=json",
                          headers={"Accept": BROWSER_ACCEPT}, timeout=10)
    assert forced.json()["sandbox"] is True


def test_apps_and_sessions_routes(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    base = f"{sb.endpoint_url}/_sandbox"
    resp = requests.post(f"{base}/apps", json={
        "title": "Posted", "cards": [{"textInput": {"title": "Q", "defaultValue": "x"}}]},
        timeout=10)
    assert resp.status_code == 201
    app_id = resp.json()["appId"]
    assert requests.get(f"{base}/apps/{app_id}", timeout=10).json()["title"] == "Posted"
    assert [a["title"] for a in requests.get(f"{base}/apps", timeout=10).json()][-1] == "Posted"
    bad = requests.post(f"{base}/apps", json={"title": "x", "cards": [{"nope": {}}]},
                        timeout=10)
    assert bad.status_code == 400
    assert "exactly one of" in bad.json()["error"]
    twin = requests.post(f"{base}/apps", json={"title": "Twin", "appId": app_id, "cards": []},
                         timeout=10)
    assert twin.status_code == 400
    assert twin.json()["error"] == f"an app with id {app_id} already exists"
    sid = client(sb).start_q_app_session(instanceId=sb.instance_id, appId=app_id,
                                         appVersion=1)["sessionId"]
    sessions = requests.get(f"{base}/sessions", timeout=10).json()
    assert [s["sessionId"] for s in sessions] == [sid]
    assert requests.get(f"{base}/sessions/{sid}", timeout=10).json()["status"] == "COMPLETED"
    assert requests.get(f"{base}/sessions/nope", timeout=10).status_code == 404
    assert requests.delete(f"{base}/apps/{app_id}", timeout=10).ok
    assert requests.get(f"{base}/apps/{app_id}", timeout=10).status_code == 404
    log = [(r.method, r.path, r.operation) for r in sb.requests]
    assert ("POST", "/runtime.startQAppSession", "StartQAppSession") in log
    assert ("GET", "/_sandbox/apps", None) in log


def test_settings_and_reset_routes(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    base = f"{sb.endpoint_url}/_sandbox"
    assert requests.put(f"{base}/settings", json={"model_latency": 0.25},
                        timeout=10).json()["model_latency"] == 0.25
    assert sb.settings.model_latency == 0.25
    for bad in (-1, "nan", "inf"):
        assert requests.put(f"{base}/settings", json={"model_latency": bad},
                            timeout=10).status_code == 400
    sb.add_app("Gone after reset", [])
    assert requests.post(f"{base}/reset", timeout=10).ok
    assert sb.settings.model_latency == 1.0
    assert [a["title"] for a in sb.apps()] == ["Dataset Profiler", "Contract Summarizer",
                                               "Meeting Brief"]


def _apps_file(tmp_path: Path) -> Path:
    path = tmp_path / "apps.json"
    path.write_text(json.dumps({"apps": [
        {"title": "Invoice Checker", "appId": "00000000-0000-4000-8000-0000000000f1",
         "appDefinition": {"initialPrompt": "check invoices", "cards": [
             {"fileUpload": {"title": "Invoice"}},
             {"qQuery": {"title": "Verdict", "prompt": "Is this invoice fine?"}}]}},
        {"title": "Borrowed", "owned": False, "cards": [{"textInput": {"title": "Ask"}}]},
    ]}), encoding="utf-8")
    return path


def test_apps_file_adds_apps_that_survive_reset(tmp_path: Path) -> None:
    with running(apps=_apps_file(tmp_path)) as sb:
        titles = [a["title"] for a in sb.apps()]
        assert titles[3:] == ["Invoice Checker", "Borrowed"]
        invoice = sb.app("00000000-0000-4000-8000-0000000000f1")
        assert invoice["initialPrompt"] == "check invoices"
        assert sb.apps()[4]["appDefinition"]["canEdit"] is False
        sb.add_app("Extra", [])
        sb.reset()
        assert [a["title"] for a in sb.apps()] == titles


@pytest.mark.parametrize(("content", "expected"), [
    ("{not json", "not valid JSON"),
    ('{"apps": 3}', "must hold a list"),
    ('[{"title": "x", "cards": [{"textInput": {"title": "a", "type": "q-query"}}]}]',
     "Member must be text-input"),
    ('[{"title": "A", "appId": "00000000-0000-4000-8000-00000000a001", "cards": []}]',
     "already has id"),
])
def test_bad_apps_file_is_refused(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "apps.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=expected):
        Sandbox(apps=path)


def test_a_card_union_with_null_members_is_listed(qapps_sandbox: Sandbox) -> None:
    """CreateQApp over plain HTTP may send a card union with null members besides the
    chosen one; the landing page (JSON and HTML) still answers and lists the app."""
    sb = qapps_sandbox
    auth = ("AWS4-HMAC-SHA256 Credential=AKIASANDBOXNOTAWS000/20250101/us-east-1/qapps/"
            "aws4_request, SignedHeaders=host;x-amz-date, Signature=" + "0" * 64)
    card_id = "00000000-0000-4000-8000-0000000000c9"
    created = requests.post(f"{sb.endpoint_url}/apps.create", timeout=10, headers={
        "Authorization": auth, "instance-id": sb.instance_id}, json={
        "title": "Null members", "appDefinition": {"cards": [
            {"textInput": None, "qQuery": {"id": card_id, "title": "Ask", "type": "q-query",
                                           "prompt": "Say hi"}}]}})
    assert created.status_code == 200, created.text
    app_id = created.json()["appId"]
    info = requests.get(f"{sb.endpoint_url}/_sandbox", timeout=10)
    assert info.status_code == 200, info.text
    listed = {a["appId"]: a for a in info.json()["apps"]}
    assert listed[app_id]["cards"] == [{"id": card_id, "title": "Ask", "type": "q-query"}]
    page = requests.get(f"{sb.endpoint_url}/_sandbox", headers={"Accept": BROWSER_ACCEPT},
                        timeout=10)
    assert page.status_code == 200
    assert app_id in page.text
    assert card_id in page.text
