"""Fuzz the app and session operations over raw HTTP: bodies and querystrings built from
the service model (near-valid, with junk mixed in) and plain random JSON. Whatever
arrives, the answer is a 2xx or a modelled 4xx with a message: never a 500, never a
traceback."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any, NamedTuple

import pytest
import requests
from botocore.loaders import Loader
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sbx_util import client, upload

from qapps_nb.sandbox import Sandbox
from qapps_nb.sandbox import demo_apps as demo

MODEL = Loader().load_service_model("qapps", "service-2")
SHAPES = MODEL["shapes"]
OPERATIONS = ["ListQApps", "GetQApp", "CreateQApp", "UpdateQApp", "DeleteQApp",
              "StartQAppSession", "GetQAppSession", "UpdateQAppSession", "StopQAppSession",
              "CreatePresignedUrl"]
AUTH = ("AWS4-HMAC-SHA256 Credential=AKIASANDBOXNOTAWS000/20250101/us-east-1/qapps/"
        "aws4_request, SignedHeaders=host;x-amz-date, Signature=" + "0" * 64)
SETTINGS = settings(max_examples=120, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
FEWER = settings(SETTINGS, max_examples=50)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**40, 2**40) | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12)

# Ids worth hitting: the demo apps and cards, plus what the ``seeded`` fixture adds to its
# own sandbox (a session and uploads).
DEMO_IDS: tuple[str, ...] = (
    demo.DATASET_PROFILER_APP_ID, demo.CONTRACT_SUMMARIZER_APP_ID, demo.MEETING_BRIEF_APP_ID,
    demo.DATASET_CARD_ID, demo.PROFILE_CARD_ID, demo.AUDIENCE_CARD_ID, demo.CONTRACT_CARD_ID,
    demo.SUMMARY_CARD_ID, demo.AGENDA_CARD_ID, demo.NOTES_CARD_ID, demo.TONE_CARD_ID)


def _uuids(ids: Sequence[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(ids), st.uuids(version=4).map(str),
                     st.text(max_size=40))


def from_shape(name: str, ids: Sequence[str], depth: int = 0) -> st.SearchStrategy[Any]:
    """Values for a model shape: mostly of the right type, sometimes junk."""
    spec = SHAPES[name]
    kind = spec["type"]
    junk = json_values
    if depth > 4:
        return junk
    if kind == "string":
        if "enum" in spec:
            good: st.SearchStrategy[Any] = st.sampled_from(spec["enum"])
        elif "[45]" in spec.get("pattern", ""):
            good = _uuids(ids)
        else:
            good = st.text(max_size=60)
            if "max" in spec:  # right at the limit and one past it
                good |= st.sampled_from([spec["max"], spec["max"] + 1]).map(lambda n: "x" * n)
    elif kind in ("integer", "long"):
        good = st.integers(-3, 5) | st.integers(-2**33, 2**33)
    elif kind == "boolean":
        good = st.booleans()
    elif kind == "timestamp":
        good = st.integers(0, 2**31) | st.text(max_size=25)
    elif kind == "list":
        good = st.lists(from_shape(spec["member"]["shape"], ids, depth + 1),
                        max_size=min(int(spec.get("max", 4)) + 2, 22))
    elif kind == "map":
        good = st.dictionaries(st.text(max_size=10), from_shape(spec["value"]["shape"], ids,
                                                                depth + 1), max_size=3)
    elif spec.get("document"):
        good = json_values
    else:
        good = _structure(spec, ids, depth)
    return st.one_of(good, good, good, junk)


def _structure(spec: dict[str, Any], ids: Sequence[str], depth: int
               ) -> st.SearchStrategy[Any]:
    members = {n: m for n, m in spec["members"].items() if m.get("location") != "header"}
    if spec.get("union"):
        keys = st.lists(st.sampled_from(sorted(members)), min_size=0, max_size=2, unique=True)
        return keys.flatmap(lambda chosen: st.fixed_dictionaries(
            {k: from_shape(members[k]["shape"], ids, depth + 1) for k in chosen}))
    required = {n: from_shape(m["shape"], ids, depth + 1) for n, m in members.items()
                if n in spec.get("required", [])}
    optional = {n: from_shape(m["shape"], ids, depth + 1) for n, m in members.items()
                if n not in spec.get("required", [])}
    return st.fixed_dictionaries(required, optional=optional)


def _signed(sb: Sandbox, instance: Any) -> dict[str, str]:
    headers = {"Authorization": AUTH, "Content-Type": "application/json"}
    if isinstance(instance, str) and instance.isprintable() and instance.isascii():
        headers["instance-id"] = instance
    return headers


def _check(resp: requests.Response) -> None:
    assert resp.status_code < 500, resp.text
    assert "Traceback" not in resp.text
    if resp.status_code >= 400:
        assert resp.headers["x-amzn-ErrorType"] in SHAPES or resp.headers[
            "x-amzn-ErrorType"] == "UnknownOperationException"
        body = resp.json()
        assert isinstance(body["message"], str)
        assert body["message"]
        assert "\n" not in body["message"]


def _send(sb: Sandbox, operation: str, params: dict[str, Any], instance: Any) -> None:
    op = MODEL["operations"][operation]
    url = sb.endpoint_url + op["http"]["requestUri"]
    headers = _signed(sb, instance)
    if op["http"]["method"] == "GET":
        members = SHAPES[op["input"]["shape"]]["members"]
        query = {members[k]["locationName"]: json.dumps(v) if not isinstance(v, str) else v
                 for k, v in params.items() if k in members}
        resp = requests.get(url, params=query, headers=headers, timeout=10)
    else:
        resp = requests.post(url, data=json.dumps(params), headers=headers, timeout=10)
    _check(resp)


class Seeded(NamedTuple):
    """A sandbox with a session and uploads, and the ids live in it."""

    sb: Sandbox
    session_id: str
    session_file_id: str
    app_file_id: str

    @property
    def ids(self) -> tuple[str, ...]:
        return (*DEMO_IDS, self.session_id, self.session_file_id, self.app_file_id)


@pytest.fixture
def seeded(qapps_sandbox: Sandbox) -> Seeded:
    """Sessions and uploads the fuzzer's ids can hit (ids of this test's sandbox only)."""
    sb = qapps_sandbox
    c = client(sb)
    sid = c.start_q_app_session(instanceId=sb.instance_id, appId=demo.MEETING_BRIEF_APP_ID,
                                appVersion=1)["sessionId"]
    r, _ = upload(sb, b"x", appId=demo.MEETING_BRIEF_APP_ID, cardId=demo.AGENDA_CARD_ID,
                  scope="SESSION", sessionId=sid)
    a, _ = upload(sb, b"y", appId=demo.MEETING_BRIEF_APP_ID, cardId=demo.NOTES_CARD_ID)
    sb.settings.model_latency = 0
    return Seeded(sb, sid, r["fileId"], a["fileId"])


@pytest.mark.parametrize("operation", OPERATIONS)
def test_model_shaped_inputs_never_break_the_server(seeded: Seeded, operation: str) -> None:
    sb = seeded.sb
    input_shape = MODEL["operations"][operation]["input"]["shape"]

    @SETTINGS
    @given(params=_structure(SHAPES[input_shape], seeded.ids, 0),
           instance=st.sampled_from([sb.instance_id, sb.instance_id, "", "other"]) | st.none())
    def run(params: dict[str, Any], instance: Any) -> None:
        _send(sb, operation, params, instance)

    run()
    _no_server_errors(sb)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_random_json_bodies(qapps_sandbox: Sandbox, operation: str) -> None:
    sb = qapps_sandbox

    @FEWER
    @given(body=json_values | st.binary(max_size=40))
    def run(body: Any) -> None:
        op = MODEL["operations"][operation]
        url = sb.endpoint_url + op["http"]["requestUri"]
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        resp = requests.request(op["http"]["method"], url, data=data,
                                headers=_signed(sb, sb.instance_id), timeout=10)
        _check(resp)

    run()
    _no_server_errors(sb)


@pytest.mark.parametrize("route", ["/_sandbox/apps", "/_sandbox/faults", "/_sandbox/settings",
                                   "/_sandbox/reset"])
def test_control_routes_take_any_json(qapps_sandbox: Sandbox, route: str) -> None:
    sb = qapps_sandbox

    @FEWER
    @given(body=json_values)
    def run(body: Any) -> None:
        method = "PUT" if route.endswith("settings") else "POST"
        resp = requests.request(method, sb.endpoint_url + route, data=json.dumps(body),
                                timeout=10)
        assert resp.status_code < 500, resp.text
        if resp.status_code >= 400:
            assert resp.json()["error"]
        sb.clear_faults()

    run()
    _no_server_errors(sb)


def _no_server_errors(sb: Sandbox) -> None:
    assert [r for r in sb.requests if r.status >= 500 or r.code == "SandboxError"] == []


def test_known_uuid_session_values_reach_the_state_machine(seeded: Seeded) -> None:
    """A sanity check that the fuzzer's ids are live: a real update goes through."""
    sb = seeded.sb
    sid, file_id = seeded.session_id, seeded.session_file_id
    assert {sid, file_id} <= set(seeded.ids)
    resp = requests.post(f"{sb.endpoint_url}/runtime.updateQAppSession",
                         headers=_signed(sb, sb.instance_id), timeout=10, data=json.dumps(
                             {"sessionId": sid, "values": [{"cardId": demo.AGENDA_CARD_ID,
                                                            "value": file_id}]}))
    assert resp.status_code == 200, resp.text
    assert sb.session(sid)["cardStatus"][demo.AGENDA_CARD_ID]["currentState"] == "COMPLETED"
    assert str(uuid.UUID(sid)) == sid
