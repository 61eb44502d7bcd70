"""The HTTP control routes under /_sandbox (what CLI users and other processes use)."""

from __future__ import annotations

import requests
from sbx_util import presign, s3_code, upload

from qapps_nb.sandbox import Sandbox


def test_info_has_ids_and_no_secret(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    info = requests.get(f"{sb.endpoint_url}/_sandbox", timeout=10).json()
    assert info["sandbox"] is True
    assert (info["app_id"], info["card_id"], info["s3_url"]) == (sb.app_id, sb.card_id,
                                                                  sb.s3_url)
    assert sb.env()["AWS_SECRET_ACCESS_KEY"] not in str(info)


def test_faults_over_http(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    url = f"{sb.endpoint_url}/_sandbox/faults"
    resp = requests.post(url, json={"kind": "slow_down", "times": 2}, timeout=10)
    assert resp.status_code == 201
    assert requests.get(url, timeout=10).json() == [{"kind": "slow_down", "times": 2}]
    _, first = upload(sb)
    assert s3_code(first) == "SlowDown"
    assert requests.delete(url, timeout=10).json() == []
    assert upload(sb)[1].status_code == 204
    bad = requests.post(url, json={"kind": "nope"}, timeout=10)
    assert bad.status_code == 400
    assert "unknown fault kind" in bad.json()["error"]


def test_throttle_over_http_with_retry_after(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    requests.post(f"{sb.endpoint_url}/_sandbox/faults",
                  json={"kind": "throttle", "retry_after": 3}, timeout=10)
    assert sb.faults == [{"kind": "throttle", "times": 1, "retry_after": 3}]


def test_objects_and_requests_over_http(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    r, _ = upload(sb, b"payload")
    listing = requests.get(f"{sb.endpoint_url}/_sandbox/objects", timeout=10).json()
    assert [(o["file_id"], o["size"]) for o in listing] == [(r["fileId"], 7)]
    raw = requests.get(f"{sb.endpoint_url}/_sandbox/objects/{r['fileId']}", timeout=10)
    assert raw.content == b"payload"
    assert raw.headers["Content-Type"] == "application/octet-stream"
    missing = requests.get(f"{sb.endpoint_url}/_sandbox/objects/nope", timeout=10)
    assert missing.status_code == 404
    log = requests.get(f"{sb.endpoint_url}/_sandbox/requests", timeout=10).json()
    assert [(x["service"], x["status"]) for x in log][:2] == [("qapps", 200), ("s3", 204)]
    assert requests.delete(f"{sb.endpoint_url}/_sandbox/requests", timeout=10).ok
    assert [x.path for x in sb.requests] == ["/_sandbox/requests"]
    assert requests.delete(f"{sb.endpoint_url}/_sandbox/objects", timeout=10).ok
    assert sb.objects() == []


def test_settings_over_http(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    url = f"{sb.endpoint_url}/_sandbox/settings"
    resp = requests.put(url, json={"max_size": 10, "url_ttl": 60}, timeout=10)
    assert resp.json()["max_size"] == 10
    assert sb.settings.max_size == 10
    assert sb.settings.url_ttl == 60
    assert requests.put(url, json={"max_size": 0}, timeout=10).status_code == 400
    assert requests.put(url, json={"colour": 1}, timeout=10).status_code == 400
    assert sb.settings.max_size == 10
    presign(sb)


def test_unknown_control_route(qapps_sandbox: Sandbox) -> None:
    resp = requests.get(f"{qapps_sandbox.endpoint_url}/_sandbox/nope", timeout=10)
    assert resp.status_code == 404
    assert qapps_sandbox.requests[-1].code == "ControlError"
