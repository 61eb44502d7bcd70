"""Every answer fits botocore's qapps model: required members present and typed, enums
kept, error members there; every request botocore builds (all members) is accepted.

The walker here reads the model itself and is independent of the sandbox's validator.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from botocore.loaders import Loader
from sbx_util import client, upload

from qapps_nb.sandbox import Sandbox
from qapps_nb.sandbox import demo_apps as demo
from qapps_nb.sandbox.qapps_api import handlers

MODEL = Loader().load_service_model("qapps", "service-2")
SHAPES = MODEL["shapes"]


def problems(shape_name: str, value: Any, path: str = "$") -> Iterator[str]:
    """Wire JSON against a model output shape: presence, types, enums, unions."""
    spec = SHAPES[shape_name]
    kind = spec["type"]
    if kind == "structure" and spec.get("document"):
        return
    # rest-json timestamps are epoch numbers unless the shape says iso8601
    iso = spec.get("timestampFormat") == "iso8601"
    expected = {"string": str, "integer": int, "long": int, "boolean": bool, "list": list,
                "map": dict, "structure": dict, "timestamp": str if iso else (int, float)
                }[kind]
    if not isinstance(value, expected) or (kind != "boolean" and isinstance(value, bool)):
        yield f"{path}: {type(value).__name__} is not {kind} ({shape_name})"
        return
    if kind == "string" and "enum" in spec and value not in spec["enum"]:
        yield f"{path}: {value!r} not in {spec['enum']}"
    if kind == "timestamp" and iso:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    if kind == "list":
        for i, item in enumerate(value):
            yield from problems(spec["member"]["shape"], item, f"{path}[{i}]")
    if kind == "map":
        for key, item in value.items():
            yield from problems(spec["key"]["shape"], key, f"{path}.key")
            yield from problems(spec["value"]["shape"], item, f"{path}.{key}")
    if kind == "structure":
        members = spec["members"]
        if spec.get("union") and len(value) != 1:
            yield f"{path}: union with {sorted(value)}"
        for name in spec.get("required", []):
            if name not in value:
                yield f"{path}: missing required {name} ({shape_name})"
        for name, item in value.items():
            if name not in members:
                yield f"{path}: {name} is not a member of {shape_name}"
            elif members[name].get("location") is None:
                yield from problems(members[name]["shape"], item, f"{path}.{name}")


class Recorder:
    """The raw wire answer of every call a boto3 client makes."""

    def __init__(self, qapps: Any) -> None:
        self.answers: list[tuple[str, int, dict[str, Any]]] = []
        qapps.meta.events.register("after-call.qapps", self._after)

    def _after(self, http_response: Any, model: Any, **_: Any) -> None:
        raw = http_response.content
        self.answers.append((model.name, http_response.status_code,
                             json.loads(raw) if raw else {}))


def _every_card_kind() -> list[dict[str, Any]]:
    text, file, query = (str(uuid.uuid4()) for _ in range(3))
    leaf = {"name": "department", "value": {"stringValue": "legal"}}
    return [
        {"textInput": {"id": text, "title": "Text", "type": "text-input",
                       "placeholder": "p", "defaultValue": "d"}},
        {"fileUpload": {"id": file, "title": "File", "type": "file-upload",
                        "allowOverride": False}},
        {"qQuery": {"id": query, "title": "Query", "type": "q-query", "outputSource": "llm",
                    "prompt": f"Use @{text} and @{file}", "attributeFilter": {
                        "andAllFilters": [{"equalsTo": leaf}, {"notFilter": {"lessThan": {
                            "name": "created", "value": {"dateValue": datetime(2024, 1, 1)}}}}],
                        "containsAny": {"name": "tags", "value": {
                            "stringListValue": ["a", "b"]}}}}},
        {"qPlugin": {"id": str(uuid.uuid4()), "title": "Plugin", "type": "q-plugin",
                     "prompt": f"Ticket for @{query}", "pluginId": str(uuid.uuid4()),
                     "actionIdentifier": "create-ticket"}},
        {"formInput": {"id": str(uuid.uuid4()), "title": "Form", "type": "form-input",
                       "metadata": {"schema": {"type": "object", "properties": {}}},
                       "computeMode": "append"}},
    ]


def _exercise(sb: Sandbox, c: Any) -> None:
    """Call every implemented operation (with every member botocore knows) once or more."""
    i = sb.instance_id
    created = c.create_q_app(instanceId=i, title="Everything", description="all kinds",
                             appDefinition={"cards": _every_card_kind(),
                                            "initialPrompt": "all"}, tags={"team": "qa"})
    app_id = created["appId"]
    c.list_q_apps(instanceId=i, limit=2)
    c.get_q_app(instanceId=i, appId=app_id)
    for demo_app in (demo.DATASET_PROFILER_APP_ID, demo.CONTRACT_SUMMARIZER_APP_ID,
                     demo.MEETING_BRIEF_APP_ID):
        c.get_q_app(instanceId=i, appId=demo_app, appVersion=1)
    r, _ = upload(sb, b"a,b\n1,2\n", file_name="t.csv", appId=demo.CONTRACT_SUMMARIZER_APP_ID,
                  cardId=demo.CONTRACT_CARD_ID, qapps=c)
    c.update_q_app(instanceId=i, appId=app_id, title="Renamed", description="new")
    sid = c.start_q_app_session(
        instanceId=i, appId=demo.CONTRACT_SUMMARIZER_APP_ID, appVersion=1, tags={"k": "v"},
        initialValues=[{"cardId": demo.AUDIENCE_CARD_ID, "value": "ops", "submissionMutation": {
            "submissionId": str(uuid.uuid4()), "mutationType": "add"}}])["sessionId"]
    c.get_q_app_session(instanceId=i, sessionId=sid)
    r, _ = upload(sb, b"a,b\n1,2\n", file_name="t.csv", appId=demo.CONTRACT_SUMMARIZER_APP_ID,
                  cardId=demo.CONTRACT_CARD_ID, scope="SESSION", sessionId=sid, qapps=c)
    c.update_q_app_session(instanceId=i, sessionId=sid,
                           values=[{"cardId": demo.CONTRACT_CARD_ID, "value": r["fileId"]}])
    c.get_q_app_session(instanceId=i, sessionId=sid)  # IN_PROGRESS
    time.sleep(sb.settings.model_latency + 0.05)
    c.get_q_app_session(instanceId=i, sessionId=sid)  # COMPLETED
    everything = c.start_q_app_session(instanceId=i, appId=app_id, appVersion=2)["sessionId"]
    c.get_q_app_session(instanceId=i, sessionId=everything)
    sb.inject("card_error")
    errored = c.start_q_app_session(instanceId=i, appId=demo.DATASET_PROFILER_APP_ID,
                                    appVersion=1)["sessionId"]
    r, _ = upload(sb, b"x", appId=sb.app_id, cardId=sb.card_id, scope="SESSION",
                  sessionId=errored, qapps=c)
    c.update_q_app_session(instanceId=i, sessionId=errored,
                           values=[{"cardId": sb.card_id, "value": r["fileId"]}])
    time.sleep(sb.settings.model_latency + 0.05)
    assert c.get_q_app_session(instanceId=i, sessionId=errored)["status"] == "ERROR"
    c.stop_q_app_session(instanceId=i, sessionId=sid)
    c.delete_q_app(instanceId=i, appId=app_id)


def _errors(sb: Sandbox, c: Any) -> None:
    """One of each error answer the sandbox gives."""
    calls = [
        lambda: c.get_q_app(instanceId=sb.instance_id, appId=str(uuid.uuid4())),
        lambda: c.get_q_app(instanceId=sb.instance_id, appId="bad"),
        lambda: c.update_q_app(instanceId=sb.instance_id,
                               appId=sb.add_app("Theirs", [], owned=False), title="x"),
    ]
    sb.inject("throttle", operation="ListQApps")
    calls.append(lambda: c.list_q_apps(instanceId=sb.instance_id))
    sb.inject("api_error", operation="GetQAppSession")
    calls.append(lambda: c.get_q_app_session(instanceId=sb.instance_id,
                                             sessionId=str(uuid.uuid4())))
    for call in calls:
        with pytest.raises(c.exceptions.ClientError):
            call()


def test_every_answer_fits_the_model(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    sb.settings.model_latency = 0.2
    c = client(sb)
    recorder = Recorder(c)
    _exercise(sb, c)
    _errors(sb, c)
    operations = MODEL["operations"]
    seen = set()
    for name, status, body in recorder.answers:
        seen.add(name)
        if status < 300:
            output = operations[name].get("output")
            assert output or body == {}, name
            if output:
                assert list(problems(output["shape"], body)) == [], name
            continue
        assert status >= 400
    assert seen == set(handlers()), "every implemented operation was called"
    states = {body["status"] for name, status, body in recorder.answers
              if name == "GetQAppSession" and status == 200}
    assert states == {"WAITING", "IN_PROGRESS", "COMPLETED", "ERROR"}


def test_every_error_has_its_members(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    c = client(sb)
    raw: list[tuple[int, str, dict[str, Any]]] = []
    c.meta.events.register("after-call.qapps", lambda http_response, **_: raw.append(
        (http_response.status_code, http_response.headers.get("x-amzn-ErrorType", ""),
         json.loads(http_response.content))))
    _errors(sb, c)
    codes = set()
    for status, code, body in raw:
        codes.add(code)
        spec = SHAPES[code]
        assert status == spec["error"]["httpStatusCode"], code
        body_members = {n for n, m in spec["members"].items() if "location" not in m}
        assert set(spec["required"]) & body_members <= set(body), code
        assert list(problems(code, body)) == [], code
    assert codes == {"ResourceNotFoundException", "ValidationException",
                     "AccessDeniedException", "ThrottlingException",
                     "InternalServerException"}


def test_python_api_dicts_fit_the_model(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    for app in sb.apps():
        assert list(problems("GetQAppOutput", app)) == []
    sid = client(sb).start_q_app_session(instanceId=sb.instance_id, appId=sb.app_id,
                                         appVersion=1)["sessionId"]
    assert list(problems("GetQAppSessionOutput", sb.session(sid))) == []
